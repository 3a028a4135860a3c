import Foundation

/// Child processes for tests: the `repro` binary built next to the test bundles, or any
/// program, run to the end with its output and how it ended (`run`), or started and
/// read while it runs (`TestProcess.Started`).
public enum TestProcess {
    /// `repro`, built beside every test bundle by `swift test`.
    public static var repro: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("repro")
    }

    public struct Result: Sendable {
        public let status: Int32
        /// False when a signal ended the process (a crash); `status` is then the signal.
        public let exited: Bool
        /// stdout and stderr together, in the order written (or stdout alone, see `run`).
        public let output: String
        /// stderr, when it was kept apart from `output`.
        public let errors: String

        /// The exit code, or the signal that killed the process.
        public var description: String { exited ? "exit \(status)" : "killed by signal \(status)" }
    }

    /// Runs `repro` with `arguments` in `directory`, `environment` over this process's.
    @discardableResult
    public static func repro(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
        separateErrors: Bool = false
    ) throws -> Result {
        try run(repro, arguments, in: directory, environment: environment, separateErrors: separateErrors)
    }

    /// `script` under /bin/sh, with `arguments` as $0, $1…
    public static func shell(
        _ script: String, _ arguments: [String] = [], in directory: URL? = nil,
        environment: [String: String] = [:]
    ) throws -> Result {
        try run(URL(fileURLWithPath: "/bin/sh"), ["-c", script] + arguments, in: directory, environment: environment)
    }

    /// A program found on PATH (`python3`, `tar`), run to the end.
    public static func program(
        _ name: String, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:], separateErrors: Bool = false
    ) throws -> Result {
        try run(
            URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, in: directory, environment: environment,
            separateErrors: separateErrors)
    }

    /// Any executable, run to the end. With `separateErrors`, `output` is stdout alone and
    /// `errors` is stderr.
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil,
        environment: [String: String] = [:], separateErrors: Bool = false
    ) throws -> Result {
        let started = try Started(
            executable: executable, arguments, in: directory, environment: environment,
            separateErrors: separateErrors)
        return started.finish()
    }

    /// A process still running: read what it says (`wait(for:)`), signal it, then `finish`.
    public final class Started: @unchecked Sendable {
        public let process = Process()
        private let output = Pipe()
        private let errorPipe: Pipe?
        private var received = Data()
        private var errors = Data()
        private let errorsRead = DispatchGroup()

        public init(
            executable: URL, _ arguments: [String], in directory: URL? = nil,
            environment: [String: String] = [:], separateErrors: Bool = false, input: Pipe? = nil
        ) throws {
            process.executableURL = executable
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = directory }
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.standardOutput = output
            errorPipe = separateErrors ? Pipe() : nil
            process.standardError = errorPipe ?? output
            if let input { process.standardInput = input }
            try process.run()
            if let errorPipe {
                // read apart, so that a full stderr pipe never blocks the child
                errorsRead.enter()
                DispatchQueue.global().async { [self] in
                    errors = errorPipe.fileHandleForReading.readDataToEndOfFile()
                    errorsRead.leave()
                }
            }
        }

        /// `repro` with `arguments` in `directory`.
        public convenience init(
            _ arguments: [String], in directory: URL, environment: [String: String] = [:],
            separateErrors: Bool = false
        ) throws {
            try self.init(
                executable: TestProcess.repro, arguments, in: directory, environment: environment,
                separateErrors: separateErrors)
        }

        /// Reads the output until it contains `text` (true) or ends (false): blocking
        /// reads, no polling.
        public func wait(for text: String) -> Bool {
            while !String(decoding: received, as: UTF8.self).contains(text) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { return false }
                received.append(chunk)
            }
            return true
        }

        /// What was read so far.
        public var outputSoFar: String { String(decoding: received, as: UTF8.self) }

        public var pid: Int32 { process.processIdentifier }

        /// Waits for the end; everything it wrote.
        public func finish() -> Result {
            received.append(output.fileHandleForReading.readDataToEndOfFile())
            process.waitUntilExit()
            errorsRead.wait()
            return Result(
                status: process.terminationStatus, exited: process.terminationReason == .exit,
                output: String(decoding: received, as: UTF8.self), errors: String(decoding: errors, as: UTF8.self))
        }
    }
}

/// A scratch directory removed with everything in it (store entries are read-only).
public final class ScratchDirectory: @unchecked Sendable {
    public let url: URL

    public init(_ prefix: String, under parent: URL = FileManager.default.temporaryDirectory) throws {
        url = parent.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { Self.remove(url) }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Removes a project directory, read-only cache entries included.
    public static func remove(_ url: URL) {
        let objects = url.appendingPathComponent("artifacts/cache/objects").path
        for sub in (try? FileManager.default.subpathsOfDirectory(atPath: objects)) ?? [] {
            chmod(objects + "/" + sub, 0o755)
        }
        try? FileManager.default.removeItem(at: url)
    }
}
