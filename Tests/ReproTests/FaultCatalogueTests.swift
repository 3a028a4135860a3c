import Dataset
import Foundation
import Pipeline
import Support
import TestSupport
import XCTest

/// The fault catalogue (README, "Exit codes"): one case per fault, each run through the
/// real `repro` binary on a copy of a project that has already run once. Every case
/// asserts the message, the exit code, and that nothing was lost: the lock file and every
/// cache entry are as before (stages a case adds on purpose aside).
final class FaultCatalogueTests: XCTestCase {
    // MARK: the project every case starts from

    /// A project that ran `repro all` once, built on first use and copied for each case.
    private static let baseline: Swift.Result<PaperProject, Error> = Swift.Result(catching: {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fault-baseline-\(UUID().uuidString)")
        let project = try PaperProject.create(at: scratch)
        let run = try project.run(["all"])
        guard run.exited, run.status == 0 else { throw PipelineError.failed("the baseline did not run: \(run.output)") }
        return project
    })

    /// Removes the baseline once every case has run.
    override class func tearDown() {
        if case .success(let project) = baseline { ScratchDirectory.remove(project.root) }
        super.tearDown()
    }

    private var scratch: ScratchDirectory!
    private var project: PaperProject!
    private var before: ProjectState!

    override func setUpWithError() throws {
        scratch = try ScratchDirectory("fault")
        let root = scratch.url.appendingPathComponent("project")
        try FileManager.default.copyItem(at: try Self.baseline.get().root, to: root)
        project = PaperProject(root: root)
        before = try ProjectState(project)
    }

    override func tearDownWithError() throws {
        scratch = nil
    }

    /// What a fault must leave as it was: the lock's bytes and every cache entry's bytes.
    struct ProjectState: Equatable {
        let lock: Data
        /// Per stage its key and non-volatile outputs: what a rerun must reproduce (volatile
        /// outputs, the timings, differ from run to run by design).
        let stages: [String: [String]]
        /// Cache entry → SHA-256 of its bytes now (equal to the name unless damaged).
        let entries: [String: String]

        init(_ project: PaperProject) throws {
            lock = try Data(contentsOf: project.lockFile)
            stages = try project.lock().stages.mapValues { record in
                [record.key]
                    + record.outputs.filter { !$0.value.volatile }.map { "\($0.key)=\($0.value.sha256)" }.sorted()
            }
            let store = Artifacts(root: project.root.appendingPathComponent("artifacts")).store
            entries = Dictionary(
                uniqueKeysWithValues: try store.digests().map { ($0, try FileDigest.sha256(store.path($0))) })
        }
    }

    /// The lock and the cache are byte for byte as before.
    private func assertUnchanged(file: StaticString = #filePath, line: UInt = #line) throws {
        let after = try ProjectState(project)
        XCTAssertEqual(after.lock, before.lock, "the lock file is unchanged", file: file, line: line)
        XCTAssertEqual(after.entries, before.entries, "every cache entry is unchanged", file: file, line: line)
    }

    /// Stages a case adds may enter the lock and the cache; what was there stays as it was.
    private func assertNothingLost(file: StaticString = #filePath, line: UInt = #line) throws {
        let after = try ProjectState(project)
        for (stage, record) in before.stages {
            XCTAssertEqual(after.stages[stage], record, "the lock's \(stage) is unchanged", file: file, line: line)
        }
        for (digest, bytes) in before.entries {
            XCTAssertEqual(after.entries[digest], bytes, "cache entry \(digest) is unchanged", file: file, line: line)
        }
    }

    /// Runs repro in the project and checks the exit code and that `message` was printed.
    @discardableResult
    private func expect(
        _ arguments: [String], exit code: Int32, saying message: String, environment: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> TestProcess.Result {
        let result = try project.run(arguments, environment: environment)
        XCTAssertTrue(
            result.exited, "repro \(arguments.joined(separator: " ")): \(result.description)\n\(result.output)",
            file: file, line: line)
        XCTAssertEqual(
            result.status, code, "repro \(arguments.joined(separator: " ")):\n\(result.output)", file: file, line: line)
        XCTAssertTrue(
            result.output.contains(message), "the output says '\(message)':\n\(result.output)", file: file, line: line)
        XCTAssertFalse(result.output.contains("Fatal error"), result.output, file: file, line: line)
        return result
    }

    // MARK: damaged data (the dataset stage: bad input, exit 2)

    /// Puts `bytes` in place of the archive, with its own SHA-256 in pipeline.yaml so the
    /// checksum passes and the damage itself is what the reader meets.
    private func replaceArchive(_ bytes: [UInt8]) throws {
        let old = try ArchiveDigests.of(file: project.archive).sha256
        try Data(bytes).write(to: project.archive)
        try project.edit(old, try ArchiveDigests.of(file: project.archive).sha256)
    }

    /// The archive's members, changed by `change`, as a new archive.
    private func replaceMembers(_ change: (inout [(name: String, bytes: [UInt8])]) -> Void) throws {
        var members = CIFARArchiveWriter.members(of: PaperProject.data.dataset())
        change(&members)
        let file = scratch.url.appendingPathComponent("members.tar.gz")
        try TarWriter.writeTarGz(members, to: file)
        try replaceArchive([UInt8](try Data(contentsOf: file)))
    }

    func testWrongChecksum() throws {
        let sha = try ArchiveDigests.of(file: project.archive).sha256
        try project.edit(sha, String(repeating: "0", count: 64))
        try expect(
            ["all"], exit: 2,
            saying: "SHA-256 mismatch: expected \(String(repeating: "0", count: 64)), got \(sha); nothing was stored")
        try assertUnchanged()
    }

    func testTruncatedArchive() throws {
        let bytes = [UInt8](try Data(contentsOf: project.archive))
        try replaceArchive(Array(bytes.prefix(bytes.count / 2)))
        try expect(["all"], exit: 2, saying: "tiny.tar.gz: truncated archive")
        try assertUnchanged()
    }

    func testCorruptGzip() throws {
        var bytes = [UInt8](try Data(contentsOf: project.archive))
        for i in 100..<140 { bytes[i] ^= 0x5A }
        try replaceArchive(bytes)
        try expect(["all"], exit: 2, saying: "tiny.tar.gz: corrupt gzip data")
        try assertUnchanged()
    }

    func testBadRecord() throws {
        try replaceMembers { members in
            let train = members.firstIndex { $0.name == CIFAR100.trainMember }!
            members[train].bytes.removeLast()
        }
        try expect(["all"], exit: 2, saying: "is not a whole number of 3074-byte records")
        try assertUnchanged()
    }

    func testMissingMember() throws {
        try replaceMembers { members in members.removeAll { $0.name == CIFAR100.testMember } }
        try expect(["all"], exit: 2, saying: "missing member \(CIFAR100.testMember)")
        try assertUnchanged()
    }

    func testPathEscapingMember() throws {
        try replaceMembers { members in members.insert(("../../escape.txt", Array("out".utf8)), at: 0) }
        try expect(["all"], exit: 2, saying: "member '../../escape.txt' would land outside the archive's directory")
        try assertUnchanged()
    }

    // MARK: the pipeline file and the command line (bad input, exit 2)

    func testMalformedYAML() throws {
        try project.edit("  student_eval:", "  broken: [\n  student_eval:")
        try expect(["all"], exit: 2, saying: "pipeline.yaml:10:")
        try assertUnchanged()
    }

    func testUnknownStageKindOrParameter() throws {
        try expect(
            ["stage", "studnet"], exit: 2, saying: "no stage named 'studnet' in pipeline.yaml; did you mean student?")
        try expect(["all", "--param", "student.epoch=2"], exit: 2, saying: "unknown parameter 'epoch'")
        try project.edit("student: {kind: train", "student: {kind: trian")
        try expect(["all"], exit: 2, saying: "unknown kind 'trian' for stage 'student'; did you mean train?")
        try assertUnchanged()
    }

    func testWrongType() throws {
        try expect(
            ["all", "--param", "student.epochs=three"], exit: 2,
            saying: "--param student.epochs=three: expected an integer, found 'three'")
        try assertUnchanged()
    }

    /// Not a fault: one value where a list is declared is a one-element list.
    func testScalarForAListIsAccepted() throws {
        let result = try expect(["all", "--param", "cifar100.url=tiny.tar.gz"], exit: 0, saying: "0 failed")
        XCTAssertTrue(
            result.output.contains("0 ran"), "the same key as [tiny.tar.gz]: nothing reruns\n\(result.output)")
        try assertUnchanged()
    }

    /// A `--param` that seed replication would replace, or that the kind would never read
    /// under the stage's other parameters (the student runs a cosine schedule); what the
    /// messages say to write instead then loads.
    func testParameterThatWouldChangeNothing() throws {
        try project.edit("stages:", "profiles:\n  two: {seeds: [0, 1]}\nstages:")
        try expect(
            ["status", "--profile", "two", "--param", "student.seed=3"], exit: 2,
            saying: "--param student.seed=3: the seed of 'student' is set by the seeds: [0, 1] of profile 'two' "
                + "(pipeline.yaml:4:9), which run it as student@seed=0, student@seed=1; to run seed 3, "
                + "change that list or give stage 'student' its own seeds: [3] in pipeline.yaml")
        try expect(
            ["status", "--param", "student.decay_epochs=[1, 2]"], exit: 2,
            saying: "--param student.decay_epochs=[1, 2]: stage 'student' ignores 'decay_epochs'")
        try expect(
            ["status", "--param", "student.decay_epochs=[1, 2]", "--param", "student.schedule=step"], exit: 0,
            saying: "student")
        try project.edit("student: {kind: train,", "student: {kind: train, seeds: [3],")
        try expect(["status", "--profile", "two"], exit: 0, saying: "student")
        try assertUnchanged()
    }

    /// Not a fault: a seed replica takes a `--param` by the name `repro stage` knows it by.
    func testReplicaTakesAParameterByName() throws {
        try project.edit("stages:", "profiles:\n  two: {seeds: [0, 1]}\nstages:")
        try expect(["all", "--profile", "two"], exit: 0, saying: "0 failed")
        let status = try expect(
            ["status", "--profile", "two", "--param", "student@seed=1.lr=0.05"], exit: 0,
            saying: "student@seed=1")
        let lines = status.output.split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("student@seed=1 ") && $0.hasSuffix("stale") }, status.output)
        XCTAssertTrue(lines.contains { $0.hasPrefix("student@seed=0 ") && $0.hasSuffix("up to date") }, status.output)
        try assertNothingLost()
    }

    func testCycle() throws {
        try project.edit(
            "deps: [cifar100], params: {label_smoothing", "deps: [cifar100, table1], params: {label_smoothing")
        try expect(
            ["all"], exit: 2,
            saying: "pipeline.yaml:7:3: the dependencies form a cycle: student → student_eval → table1 → student")
        try assertUnchanged()
    }

    func testCmdOutputOutsideOut() throws {
        try project.edit(
            "  student_eval:",
            "  escape: {kind: cmd, params: {run: 'echo > $OUT/../x', outputs: ['../x']}}\n  student_eval:")
        try expect(
            ["all"], exit: 2,
            saying: "pipeline.yaml:8:3: stage 'escape': output '../x' must be a relative path inside $OUT")
        try assertUnchanged()
    }

    func testMissingInputFile() throws {
        try project.edit(
            "  student_eval:",
            "  notes: {kind: cmd, params: {run: 'cp notes.txt $OUT/x', inputs: [notes.txt], outputs: [x]}}\n  "
                + "student_eval:"
        )
        try expect(["stage", "notes"], exit: 2, saying: "input notes.txt is missing")
        try assertUnchanged()
    }

    func testMissingDependency() throws {
        try project.edit("deps: [cifar100], params: {label_smoothing", "deps: [cifar10], params: {label_smoothing")
        try expect(
            ["all"], exit: 2, saying: "stage 'student' depends on unknown stage 'cifar10'; did you mean cifar100?")
        try assertUnchanged()
    }

    // MARK: training (a divergence fails, exit 1; a teacher or checkpoint that does not fit is bad input, exit 2)

    func testNaNLoss() throws {
        try expect(
            ["stage", "student", "--param", "student.lr=1e30"], exit: 1, saying: "training diverged: the loss is")
        try assertUnchanged()
    }

    func testTeacherOfAnotherClassCount() throws {
        let three = project.root.appendingPathComponent("three.tar.gz")
        try SyntheticCIFAR(trainCount: 100, testCount: 20, fineClasses: 3, coarseClasses: 1, seed: 3).writeArchive(
            to: three)
        let sha = try ArchiveDigests.of(file: three).sha256
        try project.edit(
            "  student_eval:",
            """
              three: {kind: dataset, params: {url: three.tar.gz, sha256: \(sha)}}
              teacher3: {kind: train, deps: [three], params: {dataset: three, epochs: 2}}
              pupil: {kind: train, deps: [cifar100, teacher3], params: {teacher: teacher3}}
              student_eval:
            """)
        try expect(
            ["stage", "pupil"], exit: 2, saying: "distillation teacher: the teacher has 3 classes but the data has 4")
        try assertNothingLost()
    }

    /// A copy of the student's checkpoint, damaged by `damage`, evaluated through a cmd
    /// stage that outputs it as `checkpoint`.
    private func evaluateCheckpoint(_ damage: (URL) throws -> Void) throws {
        let store = Artifacts(root: project.root.appendingPathComponent("artifacts")).store
        let digest = try XCTUnwrap(project.lock().stages["student"]?.outputs["checkpoint"]?.sha256)
        let copy = project.root.appendingPathComponent("old.h5")
        try FileManager.default.copyItem(at: store.path(digest), to: copy)
        chmod(copy.path, 0o644)
        try damage(copy)
        try project.edit(
            "  student_eval:",
            """
              old: {kind: cmd, params: {run: 'cp old.h5 $OUT/checkpoint', inputs: [old.h5], outputs: [checkpoint]}}
              old_eval: {kind: evaluate, deps: [old, cifar100], params: {run: old, batch_size: 16}}
              student_eval:
            """)
    }

    func testCheckpointOfAnotherFormatVersion() throws {
        try evaluateCheckpoint { file in
            let python = try TestProcess.program(
                "python3",
                [
                    "-c", "import h5py, sys; h5py.File(sys.argv[1], 'r+').attrs['format_version'] = 2", file.path,
                ])
            XCTAssertEqual(python.status, 0, "h5py rewrote the attribute: \(python.output)")
        }
        try expect(
            ["stage", "old_eval"], exit: 2, saying: "has checkpoint format version 2; this repro reads version 1")
        try assertNothingLost()
    }

    func testTruncatedCheckpoint() throws {
        try evaluateCheckpoint { file in
            let bytes = try Data(contentsOf: file)
            try bytes.prefix(bytes.count / 2).write(to: file)
        }
        try expect(
            ["stage", "old_eval"], exit: 2, saying: "cannot be read (damaged or truncated; delete it to start over)")
        try assertNothingLost()
    }

    /// Seeded bit flips and truncations of two small golden files through `repro parity`,
    /// then the damaged copies that once stopped repro (a dimension read as 2^40: an
    /// allocation of terabytes, an overflowing shape product): each ends with 0 (passed),
    /// 1 (a tensor above tolerance) or 2 (unreadable, naming the file), never a signal.
    func testBitFlippedHDF5ViaParity() throws {
        var codes: [Int32: Int] = [:]
        var tried = 0
        for (name, count, seed) in [("batchnorm.h5", 300, UInt64(13)), ("losses.h5", 150, UInt64(14))] {
            let original = try Self.golden(name)
            var mutations = HDF5Mutations(seed: seed)
            for index in 0..<count {
                let (bytes, what) = mutations.damage(original)
                try checkParity(bytes, "\(name) mutant \(index) (\(what))", codes: &codes)
                tried += 1
            }
        }
        for (name, flips) in Self.formerCrashes {
            var bytes = try Self.golden(name)
            for (offset, bit) in flips { bytes[offset] ^= 1 << bit }
            try checkParity(bytes, "\(name) flipped at \(flips)", codes: &codes)
            tried += 1
        }
        print("repro parity on \(tried) damaged golden files: exit codes \(codes.sorted { $0.key < $1.key })")
        try assertUnchanged()
    }

    /// Bit flips (byte offset, bit) that made repro crash before dataset and attribute
    /// sizes were checked (found by a 1,000-mutant run per golden file).
    static let formerCrashes: [(String, [(Int, Int)])] = [
        ("batchnorm.h5", [(975, 2), (46435, 5), (11524, 5), (3831, 1), (636, 6)]),
        ("batchnorm.h5", [(3820, 1), (20088, 7), (2115, 1), (12509, 2), (49611, 5)]),
        ("batchnorm.h5", [(44772, 3), (15181, 2)]),
        ("losses.h5", [(2914, 5), (51348, 7), (132990, 1), (562, 7), (71010, 6)]),
        ("losses.h5", [(150071, 0), (116274, 5), (870, 1), (3985, 6), (26341, 2)]),
        ("losses.h5", [(2253, 3), (520, 7), (39208, 5), (143843, 4)]),
        ("losses.h5", [(73479, 2), (2204, 6), (2333, 2), (6183, 1), (11012, 4)]),
    ]

    static func golden(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("NNTests/Fixtures").appendingPathComponent(name)
        return [UInt8](try Data(contentsOf: url))
    }

    /// Runs `repro parity` on `bytes` and checks how it ended.
    private func checkParity(_ bytes: [UInt8], _ what: String, codes: inout [Int32: Int]) throws {
        let file = scratch.url.appendingPathComponent("mutant.h5")
        try Data(bytes).write(to: file)
        let result = try project.run(["parity", file.path])
        XCTAssertTrue(
            result.exited && (0...2).contains(result.status) && !result.output.contains("Fatal error"),
            "\(what): \(result.description)\n\(result.output.suffix(2000))")
        if result.status == 2 {
            XCTAssertTrue(result.output.contains(file.lastPathComponent), "\(what) is named:\n\(result.output)")
        }
        codes[result.exited ? result.status : -result.status, default: 0] += 1
    }

    // MARK: the store and the disk (failures, exit 1; the next run repairs)

    func testCorruptedCacheEntry() throws {
        let store = Artifacts(root: project.root.appendingPathComponent("artifacts")).store
        let digest = try XCTUnwrap(project.lock().stages["student"]?.outputs["checkpoint"]?.sha256)
        let entry = store.path(digest)
        chmod(entry.path, 0o644)
        var bytes = [UInt8](try Data(contentsOf: entry))
        bytes[bytes.count / 2] ^= 1
        try Data(bytes).write(to: entry)
        // Found before use: the producer reruns, to the same bytes.
        try expect(
            ["stage", "student_eval", "--force"], exit: 0,
            saying: "running student (2 threads): output checkpoint is corrupted in the cache")
        try assertNothingLost()
        XCTAssertEqual(try FileDigest.sha256(entry), digest, "the entry holds its bytes again")
    }

    func testFailedWrite() throws {
        // A file-size limit (512-byte blocks in dash) makes the checkpoint write fail with
        // EFBIG; repro ignores SIGXFSZ so the write returns an error instead of killing it.
        let limited = try expectShell("ulimit -f 40; exec \"$0\" stage student --force", exit: 1)
        XCTAssertTrue(limited.output.contains("File too large"), "the refusal is reported:\n\(limited.output)")
        XCTAssertTrue(limited.output.contains("state.h5"), "the message names the file:\n\(limited.output)")
        try assertUnchanged()
        try expect(["stage", "student", "--force"], exit: 0, saying: "0 failed")
        try assertNothingLost()
    }

    /// Runs `script` under /bin/sh with repro's path as $0.
    private func expectShell(
        _ script: String, exit code: Int32, file: StaticString = #filePath, line: UInt = #line
    ) throws -> TestProcess.Result {
        let result = try TestProcess.shell(script, [TestProcess.repro.path], in: project.root)
        XCTAssertTrue(result.exited, result.output, file: file, line: line)
        XCTAssertEqual(result.status, code, result.output, file: file, line: line)
        return result
    }

    func testConcurrentRuns() throws {
        try project.edit(
            "  student_eval:", "  second: {kind: train, deps: [cifar100], params: {epochs: 2}}\n  student_eval:")
        let runs = try [0, 1].map { _ in try TestProcess.Started(["stage", "second"], in: project.root) }
        for run in runs.map({ $0.finish() }) {
            XCTAssertEqual(run.description, "exit 0", run.output)
        }
        XCTAssertNotNil(try project.lock().stages["second"], "the lock records the stage both ran")
        try assertNothingLost()
        try expect(["stage", "second"], exit: 0, saying: "0 ran")
    }

    func testSIGKILLMidPublish() throws {
        let cache = project.root.appendingPathComponent("artifacts/cache")
        let payload = scratch.url.appendingPathComponent("payload.bin")
        try Data(repeating: 7, count: 1 << 20).write(to: payload)
        let writer = try StoreWriter(cache: cache, file: payload)
        XCTAssertTrue(writer.waitUntilWritten().hasPrefix("written"))
        kill(writer.started.pid, SIGKILL)
        XCTAssertFalse(writer.started.finish().exited, "killed by SIGKILL")
        try assertUnchanged()
        XCTAssertEqual(
            Artifacts(root: project.root.appendingPathComponent("artifacts")).store.abandonedTemporaryFiles().count, 1)
        try expect(["all"], exit: 0, saying: "0 failed")
        XCTAssertEqual(
            Artifacts(root: project.root.appendingPathComponent("artifacts")).store.abandonedTemporaryFiles(), [],
            "the next run removes what the killed writer left")
        try assertUnchanged()
    }

    // MARK: the machine

    /// On a CPU without the kernels' ISA only the commands that run kernels refuse (bad
    /// input, exit 2).
    func testCPUWithoutTheKernelsISA() throws {
        let cpuinfo = scratch.url.appendingPathComponent("cpuinfo")
        try "processor\t: 0\nflags\t\t: fpu sse sse2\n".write(to: cpuinfo, atomically: true, encoding: .utf8)
        let environment = ["REPRO_CPUINFO": cpuinfo.path]
        try expect(["status"], exit: 0, saying: "student", environment: environment)
        try expect(["dag"], exit: 0, saying: "student", environment: environment)
        try expect(["gc", "--dry-run"], exit: 0, saying: "would remove", environment: environment)
        try expect(["stage", "student", "--force"], exit: 2, saying: "this CPU lacks ", environment: environment)
        try assertUnchanged()
    }
}
