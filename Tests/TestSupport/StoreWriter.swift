import Foundation

/// `repro store-put --wait-before-publish FILE`: a real writer process stopped between
/// writing its temporary copy and publishing it, so tests can race two of them or kill
/// one there. It prints "written …" once the copy is on disk, and publishes on "go".
public final class StoreWriter: @unchecked Sendable {
    public let started: TestProcess.Started
    private let input = Pipe()

    public init(cache: URL, lock: URL? = nil, file: URL) throws {
        let arguments =
            ["store-put", "--cache", cache.path] + (lock.map { ["--lock", $0.path] } ?? [])
            + ["--wait-before-publish", file.path]
        started = try TestProcess.Started(executable: TestProcess.repro, arguments, separateErrors: true, input: input)
    }

    /// Blocks until the writer has written its temporary copy; its first line.
    public func waitUntilWritten() -> String {
        _ = started.wait(for: "\n")
        return String(started.outputSoFar.split(separator: "\n", omittingEmptySubsequences: false)[0])
    }

    public func publish() { input.fileHandleForWriting.write(Data("go\n".utf8)) }

    /// The exit status and what it printed after its first line (the digest).
    public func finish() -> (status: Int32, output: String) {
        let result = started.finish()
        let rest = result.output.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).dropFirst()
        return (result.status, rest.joined())
    }
}
