import Foundation
import XCTest

/// A real one-node Slurm cluster on loopback for the executor tests, started by
/// Tests/Support/slurm-cluster.sh (which installs Debian's slurmctld, slurmd,
/// slurm-client and munge when missing) in a temporary directory, and stopped by the
/// PIDs in that directory. Shared by the tests of one process; `SLURM_CONF` is set for
/// every child (the repro drivers and, through them, sbatch and squeue).
public final class SlurmCluster: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Support/slurm-cluster.sh")

    public let directory: URL
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: SlurmCluster?
    nonisolated(unsafe) private static var failure: String?

    public struct Unavailable: Error, CustomStringConvertible {
        let message: String
        public var description: String { message + " (CI=true: the Slurm tests must run here)" }
    }

    private init(directory: URL) {
        self.directory = directory
    }

    /// The running cluster, started on first use. Where it cannot start (no root, no
    /// packages), the test is skipped with a loud message, except in CI (CI=true), where
    /// a missing cluster is a failure.
    public static func require() throws -> SlurmCluster {
        try lock.withLock {
            if shared == nil && failure == nil { start() }
            if let shared { return shared }
            let message = "SLURM TESTS NOT RUN: \(failure!)"
            FileHandle.standardError.write(Data("\n**********\n\(message)\n**********\n".utf8))
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw Unavailable(message: message) }
            throw XCTSkip(message)
        }
    }

    private static func start() {
        // A short path: munge's socket path must fit in sun_path (108 bytes).
        let directory = URL(fileURLWithPath: "/tmp/repro-slurm-\(getpid())")
        // The daemons it starts inherit its output: a file, not a pipe that would never
        // reach end-of-file while they run.
        let log = URL(fileURLWithPath: "/tmp/repro-slurm-\(getpid()).log")
        let result = runScript([directory.path, "up"], log: log)
        guard result.status == 0 else {
            failure =
                "the one-node cluster did not start (\(script.path) \(directory.path) up exited "
                + "\(result.status)):\n\(result.output.suffix(2000))"
            return
        }
        setenv("SLURM_CONF", directory.appendingPathComponent("etc/slurm.conf").path, 1)
        let cluster = SlurmCluster(directory: directory)
        shared = cluster
        atexit {
            guard let cluster = SlurmCluster.shared else { return }
            _ = SlurmCluster.runScript(
                [cluster.directory.path, "down"], log: URL(fileURLWithPath: cluster.directory.path + "-down.log"))
            for leftover in [
                cluster.directory.path, cluster.directory.path + ".log", cluster.directory.path + "-down.log",
                cluster.directory.path + "-restart.log",
            ] {
                try? FileManager.default.removeItem(atPath: leftover)
            }
        }
    }

    /// Runs a command to completion; stdout and stderr together.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (127, "cannot run \(executable): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs the cluster script with its output in `log`, by posix_spawn and waitpid: the
    /// daemons it starts live on and inherit its descriptors, which would keep a pipe (or
    /// Foundation's bookkeeping of the child) open forever.
    static func runScript(_ arguments: [String], log: URL) -> (status: Int32, output: String) {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([script.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, script.path, &actions, nil, argv, environ) == 0 else {
            return (127, "cannot run \(script.path)")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return ((status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// A command's absolute path on PATH (`/usr/bin/sbatch`).
    public static func path(_ command: String) -> String {
        run("sh", ["-c", "command -v \(command)"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops slurmctld with `signal` (its PID file): the controller is gone, the jobs run
    /// on. SIGTERM saves its state first; after a SIGKILL it forgets jobs submitted since
    /// its last periodic save (seen here: a job submitted seconds before).
    public func killController(_ signal: Int32 = SIGTERM) {
        let pidFile = directory.appendingPathComponent("run/slurmctld.pid").path
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { return }
        kill(pid, signal)
        var status: Int32 = 0
        // not our child (it daemonised): wait, bounded, until the PID is gone
        for _ in 0..<200 where kill(pid, 0) == 0 {
            _ = waitpid(pid, &status, WNOHANG)
            usleep(50_000)
        }
    }

    /// Starts whatever daemon is down again (the script's `up` starts only those).
    public func restart() throws {
        let result = Self.runScript([directory.path, "up"], log: URL(fileURLWithPath: directory.path + "-restart.log"))
        guard result.status == 0 else {
            throw Unavailable(message: "restarting the cluster failed: \(result.output.suffix(2000))")
        }
    }

    /// Every job Slurm knows with this name (any state), as "id state" lines.
    public func jobs(named name: String) -> [String] {
        Self.run("squeue", ["-h", "-t", "all", "--name=\(name)", "-o", "%i %T"]).output
            .split(separator: "\n").map(String.init)
    }

    /// Waits, polling squeue (bounded: a real cluster, generous limit), until `condition`
    /// holds for the jobs named `name`.
    public func waitForJobs(named name: String, timeout: Double = 120, _ condition: ([String]) -> Bool) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var seen = jobs(named: name)
        while !condition(seen) && Date() < deadline {
            usleep(200_000)
            seen = jobs(named: name)
        }
        return seen
    }
}
