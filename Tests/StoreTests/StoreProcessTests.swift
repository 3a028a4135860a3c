import Foundation
import Pipeline
import Support
import XCTest

/// Real processes against one store: concurrent publishers and a writer killed mid-write.
/// They drive the hidden `repro store-put` plumbing command, which pauses between writing
/// its temporary copy and publishing it until the test sends a line: no sleeps, no races
/// with the clock.
final class StoreProcessTests: XCTestCase {
    var directory: URL!
    var store: ContentStore!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("store-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = ContentStore(root: directory.appendingPathComponent("cache"))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The `repro` binary built next to this test bundle.
    var reproBinary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("repro")
    }

    struct Writer {
        let process: Process
        let input: Pipe
        let output: Pipe

        /// Blocks until the writer has written its temporary copy.
        func waitUntilWritten() -> String {
            var line = Data()
            while true {
                let byte = output.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line.append(byte)
            }
            return String(decoding: line, as: UTF8.self)
        }

        func publish() { input.fileHandleForWriting.write(Data("go\n".utf8)) }

        func finish() -> (status: Int32, output: String) {
            let rest = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
        }
    }

    func startWriter(_ file: URL, lock: URL) throws -> Writer {
        XCTAssertTrue(FileManager.default.fileExists(atPath: reproBinary.path), "repro is built next to the tests")
        let process = Process()
        process.executableURL = reproBinary
        process.arguments = ["store-put", "--cache", store.root.path, "--lock", lock.path, "--wait-before-publish", file.path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        return Writer(process: process, input: input, output: output)
    }

    func payload(_ name: String, bytes: Int) throws -> URL {
        let url = directory.appendingPathComponent(name)
        var data = Data(count: bytes)
        for i in 0..<bytes { data[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        try data.write(to: url)
        return url
    }

    func testTwoProcessesPublishingTheSameContentEndWithOneValidEntry() throws {
        let file = try payload("same.bin", bytes: 2_000_000)
        // Different lock files: the two writers really run at the same time.
        let a = try startWriter(file, lock: directory.appendingPathComponent("a.lock"))
        let b = try startWriter(file, lock: directory.appendingPathComponent("b.lock"))
        XCTAssertTrue(a.waitUntilWritten().hasPrefix("written"))
        XCTAssertTrue(b.waitUntilWritten().hasPrefix("written"))
        a.publish()
        b.publish()
        let (statusA, digestA) = a.finish()
        let (statusB, digestB) = b.finish()
        XCTAssertEqual(statusA, 0)
        XCTAssertEqual(statusB, 0)
        XCTAssertEqual(digestA, digestB)
        let digest = digestA.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(store.digests(), [digest])
        XCTAssertTrue(store.verify(digest))
        XCTAssertEqual(try FileDigest.sha256(file), digest)
    }

    func testWriterKilledMidWriteLeavesNoEntryAndNoLock() throws {
        let file = try payload("killed.bin", bytes: 1_000_000)
        let lock = directory.appendingPathComponent("stage.lock")
        let writer = try startWriter(file, lock: lock)
        let line = writer.waitUntilWritten()
        XCTAssertTrue(line.hasPrefix("written"), line)
        XCTAssertNil(try FileLock.tryLock(lock), "the writer holds the lock while it writes")
        kill(writer.process.processIdentifier, SIGKILL)
        writer.process.waitUntilExit()
        XCTAssertEqual(writer.process.terminationReason, .uncaughtSignal)

        XCTAssertEqual(store.digests(), [], "nothing visible in the store")
        XCTAssertNotNil(try FileLock.tryLock(lock), "the kernel released the dead writer's lock")
        let abandoned = store.abandonedTemporaryFiles()
        XCTAssertEqual(abandoned.count, 1, "the half-written copy is recognisable as abandoned")
        XCTAssertEqual(abandoned.first?.path, String(line.dropFirst("written ".count)))
    }
}
