import Foundation
import XCTest

@testable import Dataset

/// A fresh directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("repro-dataset-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> URL { url.appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// A real HTTP server on 127.0.0.1 serving a directory: `python3 -m http.server` on a port
/// the system picks. Python prints "Serving HTTP on 127.0.0.1 port N" once it listens,
/// so waiting for that line is waiting for the server, not sleeping.
final class LocalHTTPServer {
    let process = Process()
    let port: Int

    init(serving directory: URL) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory.path, "0",
        ]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains(")") {  // the line ends with "(http://127.0.0.1:N/) ..."
            let chunk = handle.availableData
            if chunk.isEmpty { break }  // the process exited
            text += String(decoding: chunk, as: UTF8.self)
        }
        guard let match = text.range(of: #"port (\d+)"#, options: .regularExpression),
            let port = Int(text[match].dropFirst(5))
        else {
            process.terminate()
            throw DatasetError.io("python3 http.server did not start: '\(text)'")
        }
        self.port = port
    }

    func url(_ name: String) -> String { "http://127.0.0.1:\(port)/\(name)" }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

enum Fixtures {
    /// The repository root (this file is Tests/DatasetTests/TestSupport.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let digits = root.appendingPathComponent("artifacts/data/digits32-binary.tar.gz")
    static let digitsMD5 = "b53838c46e1bf765b01b27a8e6394f17"
    static let digitsSHA256 = "a169d560d5b6bf8c3fb1e746e0118f921a725bb358e9cf1d342c8a062997d29b"

    /// A small synthetic dataset: 40 train and 12 test images, 10 fine and 5 coarse classes.
    static let small = SyntheticCIFAR(trainCount: 40, testCount: 12, fineClasses: 10, coarseClasses: 5, seed: 7)
        .dataset()
}

/// Asserts that `body` throws a `DatasetError` and returns it.
func datasetError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> DatasetError? {
    do {
        try body()
        XCTFail("expected an error", file: file, line: line)
    } catch let error as DatasetError {
        return error
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
    return nil
}

/// The single failure inside `allSourcesFailed`, or the error itself.
func innerError(_ error: DatasetError?) -> DatasetError? {
    if case .allSourcesFailed(let failures, _)? = error, failures.count == 1 { return failures[0].error }
    return error
}
