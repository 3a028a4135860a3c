import Foundation
import Pipeline
import Support
import TestSupport
import XCTest

final class ContentStoreTests: ScratchTestCase {
    var store: ContentStore!

    override func setUpWithError() throws {
        try super.setUpWithError()
        store = ContentStore(root: directory.appendingPathComponent("cache"))
    }

    func testPutGetVerify() throws {
        let digest = try store.put(Data("hello".utf8))
        XCTAssertEqual(digest, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        XCTAssertTrue(store.contains(digest))
        XCTAssertEqual(try Data(contentsOf: store.get(digest)), Data("hello".utf8))
        XCTAssertTrue(store.verify(digest))
        XCTAssertEqual(store.digests(), [digest])
        XCTAssertEqual(store.size(digest), 5)
        // Same content again: one entry.
        XCTAssertEqual(try store.put(Data("hello".utf8)), digest)
        XCTAssertEqual(store.digests().count, 1)
        XCTAssertThrowsError(try store.get(String(repeating: "0", count: 64))) {
            XCTAssertEqual($0 as? StoreError, .missing(String(repeating: "0", count: 64)))
        }
    }

    func testPutCopyingLeavesTheSourceAndConsumingMovesIt() throws {
        let source = directory.appendingPathComponent("source.bin")
        try Data(repeating: 7, count: 3000).write(to: source)
        let digest = try store.put(copying: source)
        XCTAssertTrue(FileManager.default.fileExists(atPath: source.path))
        let temporary = try store.temporaryFile()
        try Data(repeating: 7, count: 3000).write(to: temporary)
        XCTAssertEqual(try store.put(consuming: temporary), digest)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.path))
    }

    func testCorruptedEntryIsDetectedAndNeverReturned() throws {
        let digest = try store.put(Data("precious".utf8))
        let path = store.path(digest)
        chmod(path.path, 0o644)
        try Data("tampered".utf8).write(to: path)
        XCTAssertThrowsError(try store.get(digest)) { error in
            guard case .corrupted(let expected, _) = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertEqual(expected, digest)
            XCTAssertTrue("\(error)".contains("quarantine"))
        }
        XCTAssertFalse(store.contains(digest), "the corrupted entry is out of the way")
        // Putting the right bytes again repairs the store.
        XCTAssertEqual(try store.put(Data("precious".utf8)), digest)
        XCTAssertTrue(store.verify(digest))
    }

    func testCorruptedEntryIsReplacedOnPut() throws {
        let digest = try store.put(Data("abc".utf8))
        chmod(store.path(digest).path, 0o644)
        try Data("xyz".utf8).write(to: store.path(digest))
        XCTAssertEqual(try store.put(Data("abc".utf8)), digest)
        XCTAssertEqual(try Data(contentsOf: store.get(digest)), Data("abc".utf8))
    }

    func testLockWaitsForItsHolder() throws {
        let url = directory.appendingPathComponent("locks/a.lock")
        var first: FileLock? = try FileLock(url)
        XCTAssertNil(try FileLock.tryLock(url), "held locks are not granted twice")
        withExtendedLifetime(first) {}
        first = nil
        XCTAssertNotNil(try FileLock.tryLock(url), "released on close")
    }

    func testAtomicFileWritesCompleteFiles() throws {
        let target = directory.appendingPathComponent("sub/lock.yaml")
        try AtomicFile.write(Data("one".utf8), to: target)
        try AtomicFile.write(Data("two".utf8), to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "two")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: target.deletingLastPathComponent().path)
        XCTAssertEqual(leftovers, ["lock.yaml"])
    }
}
