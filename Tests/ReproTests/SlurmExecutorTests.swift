import Foundation
import Pipeline
import TestSupport
import XCTest

/// `--executor slurm` against a real one-node cluster (SlurmCluster): every stage an
/// sbatch job running `repro run-key`, same bytes as a local run; failures classified
/// with their log; a driver killed with SIGKILL reattaches; Ctrl-C cancels.
final class SlurmExecutorTests: SlurmTestCase {
    /// A project directory (the jobs share it: same machine) with `yaml` as its pipeline.
    private func project(_ name: String, _ yaml: String) throws -> URL {
        let root = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try yaml.write(to: root.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        return root
    }

    private let chain = """
        stages:
          first: {kind: cmd, params: {run: 'echo one > $OUT/x; echo threads=$REPRO_THREADS', outputs: [x]}}
          second: {kind: cmd, deps: [first], params: {run: 'cat $DEPS/first/x > $OUT/y; echo two >> $OUT/y', outputs: \
        [y]}}
          third: {kind: cmd, deps: [first], params: {run: 'tr a-z A-Z < $DEPS/first/x > $OUT/z', outputs: [z]}}
          last: {kind: cmd, deps: [second, third], params: {run: 'cat $DEPS/second/y $DEPS/third/z > $OUT/w', \
        outputs: [w]}}
        """

    /// Every stage a job; the lock is byte for byte the local run's, each stage was
    /// submitted exactly once, and a second run submits nothing.
    func testStagesRunAsJobsWithTheBytesOfALocalRun() throws {
        let local = try project("local", chain)
        let cluster = try project("cluster", chain)
        XCTAssertEqual(try repro(["all", "-j", "2"], in: local).status, 0)
        let run = try repro(["all", "--executor", "slurm", "--slurm-cpus", "1", "--poll-interval", "0.5"], in: cluster)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(
            try Data(contentsOf: cluster.appendingPathComponent("artifacts/paper.lock")),
            try Data(contentsOf: local.appendingPathComponent("artifacts/paper.lock")))
        for stage in ["first", "second", "third", "last"] {
            XCTAssertEqual(
                jobs(named: "repro-paper-\(stage)", of: cluster).filter { $0.hasSuffix("COMPLETED") }.count, 1,
                stage)
        }
        let again = try repro(["all", "--executor", "slurm"], in: cluster)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertFalse(again.output.contains("submitted"), again.output)
        XCTAssertEqual(SlurmLedgerFile(cluster).entries, [:])
    }

    /// A stage that exits 3: reported as a stage error with its log path and the log's
    /// last lines, not retried (even with --retries), dependents skipped, exit 1.
    func testFailingStageShowsItsLogAndSkipsDependents() throws {
        let root = try project(
            "failing",
            """
            stages:
              broken: {kind: cmd, params: {run: 'echo something went wrong; exit 3', outputs: [x]}}
              after: {kind: cmd, deps: [broken], params: {run: 'cp $DEPS/broken/x $OUT/y', outputs: [y]}}
            """)
        let run = try repro(["all", "--executor", "slurm", "--retries", "2", "--poll-interval", "0.5"], in: root)
        XCTAssertEqual(run.status, 1, run.output)
        XCTAssertTrue(run.output.contains("FAILED   broken: Slurm job"), run.output)
        XCTAssertTrue(run.output.contains("stage error (exit 1)"), run.output)
        XCTAssertTrue(run.output.contains("artifacts/work/broken/"), run.output)
        XCTAssertTrue(run.output.contains("slurm-1.log"), run.output)
        XCTAssertTrue(run.output.contains("something went wrong"), run.output)
        XCTAssertTrue(run.output.contains("skipped  after: dependency broken failed"), run.output)
        XCTAssertFalse(run.output.contains("retrying"), run.output)
    }

    /// A job over its --mem is killed by Slurm (FAILED 0:9 on this cluster) and the
    /// summary says out of memory; each retry asks for --retry-memory-factor times the
    /// memory, and the third attempt has enough.
    func testMemoryKillIsClassifiedAndRetriedWithMoreMemory() throws {
        let root = try project(
            "memory",
            """
            stages:
              hungry:
                kind: cmd
                # 600 MB touched, held past two memory samples (JobAcctGatherFrequency=5)
                params: {run: 'python3 -c "b = bytearray(600 << 20); b[::4096] = bytes(len(b[::4096])); import time; \
            time.sleep(12)"; echo ok > $OUT/x', outputs: [x]}
            """)
        let run = try repro(
            [
                "all", "--executor", "slurm", "--slurm-mem", "100M", "--retries", "2",
                "--retry-memory-factor", "4", "--poll-interval", "0.5",
            ], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(
            run.output.contains(
                "ended: out of memory (raise --slurm-mem or the stage's mem); retrying with --mem=400M (1 retry left)"),
            run.output)
        XCTAssertTrue(run.output.contains("retrying with --mem=2G (0 retries left)"), run.output)
        XCTAssertTrue(run.output.contains("attempt 3, cpus=1 mem=2G"), run.output)
        XCTAssertEqual(jobs(named: "repro-paper-hungry", of: root).count, 3)
    }

    /// A profile with `executor: slurm` runs on the cluster without --executor, each job
    /// asking what the profile's `resources:` say.
    func testProfileChoosesTheExecutorAndTheResources() throws {
        let root = try project(
            "profile",
            chain + """

                profiles:
                  cluster: {executor: slurm, resources: {"kind:cmd": {mem: 300M}, last: {time: 7}}}
                """)
        let plan = try repro(["all", "--profile", "cluster", "--dry-run"], in: root)
        XCTAssertTrue(plan.output.contains("  last [never timed] cpus=1 mem=300M time=7"), plan.output)
        let run = try repro(["all", "--profile", "cluster", "--poll-interval", "0.5"], in: root)
        XCTAssertEqual(run.status, 0, run.output)
        let job = try XCTUnwrap(jobs(named: "repro-cluster-last", of: root).first?.split(separator: " ").first)
        let details = SlurmCluster.run("scontrol", ["show", "job", "-o", String(job)]).output
        XCTAssertTrue(details.contains("TimeLimit=00:07:00"), details)
        XCTAssertTrue(details.contains("mem=300M"), details)
    }

    /// A training with `devices: 2` asking for 2 tasks: its job starts the two ranks with
    /// mpirun inside the allocation, and the lock entry is the local one-process run's.
    func testTrainingWithTasksRunsAsRanksWithTheBytesOfALocalRun() throws {
        let stage = "  dp2: {kind: train, deps: [cifar100], params: {devices: 2, batch_size: 50}}\n"
        let resources = "resources: {dp2: {tasks: 2, cpus: 1, mem: 2G}}"
        let local = try PaperProject.create(at: directory.appendingPathComponent("local"), extra: stage + resources)
        let ranked = try PaperProject.create(at: directory.appendingPathComponent("ranked"), extra: stage + resources)
        XCTAssertEqual(try local.run(["stage", "dp2"]).status, 0)
        let run = try repro(["stage", "dp2", "--executor", "slurm", "--poll-interval", "0.5"], in: ranked.root)
        XCTAssertEqual(run.status, 0, run.output)
        let job = try XCTUnwrap(jobs(named: "repro-paper-dp2", of: ranked.root).first?.split(separator: " ").first)
        let details = SlurmCluster.run("scontrol", ["show", "job", "-o", String(job)]).output
        XCTAssertTrue(details.contains("NumTasks=2"), details)
        let (got, expected) = (try ranked.lock().stages["dp2"], try local.lock().stages["dp2"])
        XCTAssertEqual(got?.key, expected?.key)
        XCTAssertEqual(got?.stableOutputs, expected?.stableOutputs, "checkpoint, history and proof of 2 ranks")
    }

    private let gated = """
        stages:
          first: {kind: cmd, params: {run: 'echo one > $OUT/x', outputs: [x]}}
          slow:
            kind: cmd
            deps: [first]
            params:
              # The job waits for the test's go-ahead (a file on the shared filesystem).
              run: 'while [ ! -e release ]; do sleep 0.1; done; cat $DEPS/first/x > $OUT/y'
              outputs: [y]
          last: {kind: cmd, deps: [slow], params: {run: 'cat $DEPS/slow/y > $OUT/z', outputs: [z]}}
        """

    /// Waits (bounded) until the ledger names a job for `stage` and Slurm runs it.
    private func awaitRunning(_ stage: String, in root: URL, driver: Driver) -> String? {
        let jobs = cluster.waitForJobs(named: "repro-paper-\(stage)") { lines in
            !driver.process.isRunning || lines.contains { $0.hasSuffix("RUNNING") && isOurs($0, root) }
        }
        return jobs.first { $0.hasSuffix("RUNNING") && isOurs($0, root) }.map { String($0.split(separator: " ")[0]) }
    }

    /// The driver killed with SIGKILL while a job runs: the rerun reattaches to it,
    /// submits nothing twice (counted in Slurm) and finishes the run.
    func testKilledDriverReattachesWithoutResubmitting() throws {
        let root = try project("reattach", gated)
        let first = try Driver(["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root)
        let job = try XCTUnwrap(awaitRunning("slow", in: root, driver: first))
        kill(first.process.processIdentifier, SIGKILL)
        _ = first.finish()
        XCTAssertEqual(SlurmLedgerFile(root).entries.values.map(\.job), [job])

        let second = try Driver(["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root)
        // the job goes on only once the new driver has reattached to it (else it could end first)
        XCTAssertTrue(second.wait(for: "reattached to Slurm job \(job)"))
        FileManager.default.createFile(atPath: root.appendingPathComponent("release").path, contents: Data())
        let result = second.finish()
        XCTAssertEqual(result.status, 0, result.output)
        for stage in ["first", "slow", "last"] {
            XCTAssertEqual(jobs(named: "repro-paper-\(stage)", of: root).count, 1, stage)
        }
        XCTAssertEqual(SlurmLedgerFile(root).entries, [:])
    }

    /// The driver killed with SIGKILL between sbatch and its ledger entry (an sbatch made
    /// slow on purpose): the entry it wrote before sbatch holds a token the job's comment
    /// repeats, so the rerun finds the job and submits nothing twice.
    func testDriverKilledRightAfterSbatchFindsItsJob() throws {
        let root = try project(
            "window",
            """
            stages:
              slow: {kind: cmd, params: {run: 'while [ ! -e release ]; do sleep 0.1; done; echo > $OUT/y', outputs: \
            [y]}}
            """)
        let bin = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let wrapper = bin.appendingPathComponent("sbatch")
        try """
        #!/bin/sh
        "\(SlurmCluster.path("sbatch"))" "$@"; status=$?
        touch "\(root.path)/submitted"; sleep 30; exit $status
        """.write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let first = try Driver(
            ["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root, environment: environment)
        let marker = root.appendingPathComponent("submitted").path
        _ = cluster.waitForJobs(named: "repro-paper-slow") { _ in
            FileManager.default.fileExists(atPath: marker) || !first.process.isRunning
        }
        kill(first.process.processIdentifier, SIGKILL)
        _ = first.finish()
        XCTAssertEqual(SlurmLedgerFile(root).entries.values.map(\.job), [""])

        let second = try Driver(["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root)
        XCTAssertTrue(second.wait(for: "reattached to Slurm job"))
        FileManager.default.createFile(atPath: root.appendingPathComponent("release").path, contents: Data())
        let result = second.finish()
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(jobs(named: "repro-paper-slow", of: root).count, 1)
    }

    /// slurmctld stopped (SIGTERM) while a job runs: the driver says Slurm does not answer
    /// and keeps asking (unknown is neither done nor failed); once the controller is back
    /// (its saved state has the job) the run completes with the one job.
    func testDriverWaitsOutADeadController() throws {
        let root = try project("controller", gated)
        let driver = try Driver(["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root)
        let job = try XCTUnwrap(awaitRunning("slow", in: root, driver: driver))
        cluster.killController()
        XCTAssertTrue(driver.wait(for: "Slurm does not answer"))
        try cluster.restart()
        XCTAssertTrue(driver.wait(for: "Slurm answers again"))
        FileManager.default.createFile(atPath: root.appendingPathComponent("release").path, contents: Data())
        let result = driver.finish()
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(jobs(named: "repro-paper-slow", of: root).map { $0.split(separator: " ")[0] }, [Substring(job)])
    }

    /// Ctrl-C (SIGINT) cancels the run's jobs with one scancel and the job ends
    /// CANCELLED; the ledger forgets it, so the next run submits it again.
    func testInterruptCancelsTheRunsJobs() throws {
        let root = try project("interrupt", gated)
        let driver = try Driver(["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root)
        let job = try XCTUnwrap(awaitRunning("slow", in: root, driver: driver))
        kill(driver.process.processIdentifier, SIGINT)
        let result = driver.finish()
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("cancelled 1 Slurm job(s): \(job)"), result.output)
        let final = cluster.waitForJobs(named: "repro-paper-slow") { $0.contains("\(job) CANCELLED") }
        XCTAssertTrue(final.contains("\(job) CANCELLED"), "\(final)")
        XCTAssertEqual(SlurmLedgerFile(root).entries, [:])
    }

    /// With --detach, Ctrl-C leaves the job running and the ledger keeps it.
    func testDetachLeavesTheJobRunning() throws {
        let root = try project("detach", gated)
        let driver = try Driver(["all", "--executor", "slurm", "--detach", "--poll-interval", "0.5"], in: root)
        let job = try XCTUnwrap(awaitRunning("slow", in: root, driver: driver))
        kill(driver.process.processIdentifier, SIGINT)
        let result = driver.finish()
        XCTAssertTrue(result.output.contains("detached: 1 Slurm job(s) keep running (\(job))"), result.output)
        XCTAssertTrue(cluster.jobs(named: "repro-paper-slow").contains("\(job) RUNNING"))
        let status = try repro(["status"], in: root)
        XCTAssertTrue(status.output.contains("job \(job)  RUNNING"), status.output)
        let again = try Driver(["all", "--executor", "slurm", "--poll-interval", "0.5"], in: root)
        XCTAssertTrue(again.wait(for: "reattached to Slurm job \(job)"))
        FileManager.default.createFile(atPath: root.appendingPathComponent("release").path, contents: Data())
        let rerun = again.finish()
        XCTAssertEqual(rerun.status, 0, rerun.output)
    }
}

/// The ledger as a test reads it: stage key → job.
private struct SlurmLedgerFile {
    struct Entry: Equatable { let job: String; let stage: String }
    let entries: [String: Entry]

    init(_ root: URL) {
        let url = root.appendingPathComponent("artifacts/slurm-ledger.json")
        let object = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: [String: Any]] ?? [:]
        entries = object.compactMapValues { value in
            guard let job = value["job"] as? String, let stage = value["stage"] as? String else { return nil }
            return Entry(job: job, stage: stage)
        }
    }
}
