import Foundation
import Pipeline
import Support
import XCTest

/// `repro gc` keeps what any profile's lock names and removes the rest.
final class GarbageCollectorTests: XCTestCase {
    func testRemovesOnlyWhatNoLockNames() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        try sandbox.run(profile: "shouting")
        let collector = GarbageCollector(artifacts: sandbox.artifacts)
        XCTAssertEqual(try collector.collect(dryRun: true).removed, [])

        // Change the words: the old outputs of the paper profile become garbage, except
        // those the shouting profile's lock still names.
        let oldWords = try XCTUnwrap(try sandbox.lock().stages["words"]?.outputs["sorted.txt"]?.sha256)
        let oldUpper = try XCTUnwrap(try sandbox.lock().stages["upper"]?.outputs["upper.txt"]?.sha256)
        try sandbox.write("words.txt", "kiwi\n")
        try sandbox.run()
        let listed = try collector.collect(dryRun: true)
        XCTAssertTrue(listed.removed.contains(sandbox.artifacts.store.path(oldUpper)))
        XCTAssertFalse(
            listed.removed.contains(sandbox.artifacts.store.path(oldWords)), "the shouting lock still names it")
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: sandbox.artifacts.store.path(oldUpper).path),
            "a dry run removes nothing")

        let removed = try collector.collect(dryRun: false)
        XCTAssertEqual(removed.removed, listed.removed)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.artifacts.store.path(oldUpper).path))
        XCTAssertEqual(try collector.collect(dryRun: true).removed, [])
        XCTAssertEqual(try sandbox.run().upToDate.count, 4)
        for record in try sandbox.lock(profile: "shouting").stages.values {
            for output in record.outputs.values {
                XCTAssertTrue(
                    FileManager.default.fileExists(atPath: sandbox.artifacts.store.path(output.sha256).path),
                    "the other profile is intact")
            }
        }
    }

    func testStatusJSONNamesEachOutputsCachePathAndHash() throws {
        let sandbox = try Sandbox(fixture: "chain")
        try sandbox.run()
        let json = try sandbox.status().json(artifacts: sandbox.artifacts)
        let words = try XCTUnwrap(json["stages"]?.arrayValue?.first)
        XCTAssertEqual(words["state"], .string("up to date"))
        let output = try XCTUnwrap(words["outputs"]?.arrayValue?.first)
        let sha = try XCTUnwrap(output["sha256"]?.stringValue)
        XCTAssertEqual(output["path"]?.stringValue, sandbox.artifacts.store.path(sha).path)
        XCTAssertEqual(try JSONParser.parse(json.pretty), json, "the JSON reads back as written")
    }
}
