import Foundation
import XCTest

/// The `repro` binary built next to this test bundle, run as a child process with its
/// output (stdout and stderr together) and how it ended.
enum ReproProcess {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("repro")
    }

    struct Result {
        let status: Int32
        /// False when a signal ended the process (a crash); `status` is then the signal.
        let exited: Bool
        let output: String

        /// The exit code, or a failure naming the signal that killed the process.
        var description: String { exited ? "exit \(status)" : "killed by signal \(status)" }
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Result {
        try run(binary, arguments, in: directory, environment: environment)
    }

    /// `script` under /bin/sh, with `arguments` as $0, $1…
    static func shell(_ script: String, _ arguments: [String] = [], in directory: URL,
                      environment: [String: String] = [:]) throws -> Result {
        try run(URL(fileURLWithPath: "/bin/sh"), ["-c", script] + arguments, in: directory, environment: environment)
    }

    /// Any program, its environment `environment` over this process's.
    static func run(_ executable: URL, _ arguments: [String], in directory: URL, environment: [String: String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, exited: process.terminationReason == .exit,
                      output: String(decoding: data, as: UTF8.self))
    }
}

/// A scratch directory removed with everything in it (store entries are read-only).
final class ScratchDirectory {
    let url: URL

    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { Self.remove(url) }

    /// Removes a project directory, read-only cache entries included.
    static func remove(_ url: URL) {
        let objects = url.appendingPathComponent("artifacts/cache/objects").path
        for sub in (try? FileManager.default.subpathsOfDirectory(atPath: objects)) ?? [] { chmod(objects + "/" + sub, 0o755) }
        try? FileManager.default.removeItem(at: url)
    }
}
