import Foundation
import Pipeline
import Support
import TestSupport
import XCTest

/// Real processes against one store: concurrent publishers and a writer killed mid-write.
/// They drive the hidden `repro store-put` plumbing command, which pauses between writing
/// its temporary copy and publishing it until the test sends a line: no sleeps, no races
/// with the clock.
final class StoreProcessTests: ScratchTestCase {
    var store: ContentStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        store = ContentStore(root: directory.appendingPathComponent("cache"))
    }

    func startWriter(_ file: URL, lock: URL) throws -> StoreWriter {
        try StoreWriter(cache: store.root, lock: lock, file: file)
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
        kill(writer.started.pid, SIGKILL)
        XCTAssertFalse(writer.started.finish().exited, "killed by SIGKILL")

        XCTAssertEqual(store.digests(), [], "nothing visible in the store")
        XCTAssertNotNil(try FileLock.tryLock(lock), "the kernel released the dead writer's lock")
        let abandoned = store.abandonedTemporaryFiles()
        XCTAssertEqual(abandoned.count, 1, "the half-written copy is recognisable as abandoned")
        XCTAssertEqual(abandoned.first?.path, String(line.dropFirst("written ".count)))
    }
}
