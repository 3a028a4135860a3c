import Foundation
import XCTest

/// What the Slurm executor tests share: the running one-node cluster, a scratch
/// directory under /tmp (short paths; the jobs see it, same machine), and repro drivers
/// run as real processes.
class SlurmTestCase: XCTestCase {
    var cluster: SlurmCluster!
    var directory: URL!

    static let repro = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("repro")

    override func setUpWithError() throws {
        cluster = try SlurmCluster.require()
        directory = URL(fileURLWithPath: "/tmp/repro-slurm-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        guard let directory else { return }
        // Store entries are read-only; make them writable so the whole tree can go.
        let objects = directory.appendingPathComponent("artifacts/cache/objects").path
        for sub in (try? FileManager.default.subpathsOfDirectory(atPath: objects)) ?? [] { chmod(objects + "/" + sub, 0o755) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A repro process (stdout and stderr together) in a project directory.
    final class Driver {
        let process = Process()
        let output = Pipe()
        private var received = Data()

        init(_ arguments: [String], in root: URL, environment: [String: String]? = nil) throws {
            process.executableURL = SlurmTestCase.repro
            process.arguments = arguments
            process.currentDirectoryURL = root
            if let environment { process.environment = environment }
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        /// Reads the driver's output until it says `text` (true) or ends (false).
        func wait(for text: String) -> Bool {
            while true {
                let chunk = output.fileHandleForReading.availableData  // blocks until output or EOF
                if chunk.isEmpty { return false }
                received.append(chunk)
                if String(decoding: received, as: UTF8.self).contains(text) { return true }
            }
        }

        func finish() -> (status: Int32, output: String) {
            received.append(output.fileHandleForReading.readDataToEndOfFile())
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: received, as: UTF8.self))
        }
    }

    func repro(_ arguments: [String], in root: URL) throws -> (status: Int32, output: String) {
        try Driver(arguments, in: root).finish()
    }

    /// The jobs named `name` (squeue lines "id state") submitted for the project at `root`
    /// (their comment names it): tests share the cluster and the job names.
    func jobs(named name: String, of root: URL) -> [String] {
        cluster.jobs(named: name).filter { isOurs($0, root) }
    }

    func isOurs(_ line: String, _ root: URL) -> Bool {
        let id = String(line.split(separator: " ")[0])
        return SlurmCluster.run("scontrol", ["show", "job", "-o", id]).output.contains("project=\(root.path),")
    }
}
