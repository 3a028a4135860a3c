import Foundation
import XCTest

/// What the Slurm executor tests share: the running one-node cluster, a scratch
/// directory under /tmp (short paths; the jobs see it, same machine), and repro drivers
/// run as real processes.
open class SlurmTestCase: XCTestCase {
    public var cluster: SlurmCluster!
    public var directory: URL!

    override open func setUpWithError() throws {
        cluster = try SlurmCluster.require()
        directory = URL(fileURLWithPath: "/tmp/repro-slurm-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override open func tearDownWithError() throws {
        guard let directory else { return }
        // Store entries are read-only; make them writable so the whole tree can go.
        let objects = directory.appendingPathComponent("artifacts/cache/objects").path
        for sub in (try? FileManager.default.subpathsOfDirectory(atPath: objects)) ?? [] {
            chmod(objects + "/" + sub, 0o755)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A repro driver run as a real process (stdout and stderr together).
    public typealias Driver = TestProcess.Started

    public func repro(_ arguments: [String], in root: URL) throws -> TestProcess.Result {
        try Driver(arguments, in: root).finish()
    }

    /// The jobs named `name` (squeue lines "id state") submitted for the project at `root`
    /// (their comment names it): tests share the cluster and the job names.
    public func jobs(named name: String, of root: URL) -> [String] {
        cluster.jobs(named: name).filter { isOurs($0, root) }
    }

    public func isOurs(_ line: String, _ root: URL) -> Bool {
        let id = String(line.split(separator: " ")[0])
        return SlurmCluster.run("scontrol", ["show", "job", "-o", id]).output.contains("project=\(root.path),")
    }
}
