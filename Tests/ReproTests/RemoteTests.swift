import Foundation
import Pipeline
import Support
import TestSupport
import XCTest

/// `repro push` and `repro pull` against a real nginx (WebDAV PUT on a scratch
/// directory, a free loopback port, started and stopped here) and a `file://` remote:
/// round trips into fresh clones, partial and outputs-only pulls, damaged and missing
/// blobs, a pull killed mid-blob, concurrent pushes, conflicting records, credentials.
final class RemoteTests: ScratchTestCase {
    private var nginx: Nginx!

    override func setUpWithError() throws {
        try super.setUpWithError()
        nginx = try Nginx(in: directory.appendingPathComponent("nginx"))
    }

    override func tearDownWithError() throws {
        nginx?.stop()
        nginx = nil
        try super.tearDownWithError()
    }

    private func project(_ name: String = "origin", extra: String = "") throws -> RemoteProject {
        let project = try RemoteProject.create(at: directory.appendingPathComponent(name), extra: extra)
        let run = try project.run(["all"])
        XCTAssertEqual(run.status, 0, run.output)
        return project
    }

    private func succeeds(_ result: TestProcess.Result, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(
            result.exited && result.status == 0, "\(result.description)\n\(result.output)", file: file, line: line)
    }

    private func upToDate(
        _ project: RemoteProject, count: Int, file: StaticString = #filePath, line: UInt = #line
    )
        throws
    {
        let status = try project.run(["status"])
        XCTAssertTrue(
            status.output.contains("\(count) up to date, 0 stale, 0 never run"), status.output, file: file, line: line)
        let all = try project.run(["all"])
        succeeds(all, file: file, line: line)
        XCTAssertTrue(all.output.contains("0 ran, 0 reused, \(count) up to date"), all.output, file: file, line: line)
    }

    func testATrainedProjectPushedToNginxPullsIntoAFreshCloneUpToDate() throws {
        let origin = try PaperProject.create(at: directory.appendingPathComponent("paper"))
        succeeds(try origin.run(["all"]))
        let push = try origin.run(["push", "--remote", nginx.url])
        succeeds(push)
        XCTAssertTrue(push.output.contains("4 run records, 0 already there"), push.output)
        let again = try origin.run(["push", "--remote", nginx.url])
        succeeds(again)
        XCTAssertTrue(again.output.contains("pushed 0 blobs"), again.output)
        XCTAssertTrue(again.output.contains("0 run records, 4 already there"), again.output)

        let clone = try RemoteProject(root: origin.root).clone(to: directory.appendingPathComponent("clone"))
        let pull = try clone.run(["pull", "--remote", nginx.url])
        succeeds(pull)
        XCTAssertTrue(pull.output.contains("4 run records"), pull.output)
        try upToDate(clone, count: 4)
        clone.assertStoreClean()
        let repeated = try clone.run(["pull", "--remote", nginx.url])
        XCTAssertTrue(repeated.output.contains("pulled 0 blobs"), repeated.output)
        // the reviewer's check: the pulled training replayed in part, everything after it recomputed
        let audit = try clone.run(["audit", "--sample", "2", "--seed", "1"])
        XCTAssertEqual(audit.status, 0, audit.output)
        XCTAssertTrue(audit.output.contains("seed 1"), audit.output)
    }

    func testPartialPullTakesOneStagesClosure() throws {
        let origin = try project()
        succeeds(try origin.run(["push", "--remote", nginx.url]))
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        succeeds(try clone.run(["pull", "words", "--remote", nginx.url]))
        let status = try clone.run(["status"])
        XCTAssertTrue(status.output.contains("1 up to date"), status.output)
        XCTAssertEqual(clone.store.digests(), [try origin.output("words", "sorted.txt")])

        succeeds(try clone.run(["pull", "big", "--remote", nginx.url]))
        XCTAssertTrue(try clone.run(["status"]).output.contains("2 up to date"))
    }

    func testOutputsOnlyLeavesOutIntermediateStatesAndIsUpToDate() throws {
        let origin = try project()
        succeeds(try origin.run(["push", "--remote", nginx.url]))
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        succeeds(try clone.run(["pull", "--outputs-only", "--remote", nginx.url]))
        XCTAssertFalse(clone.store.contains(try origin.output("big", "state.1")))
        XCTAssertTrue(clone.store.contains(try origin.output("big", "big.bin")))
        try upToDate(clone, count: 3)
        // A full pull later fetches just the states.
        let full = try clone.run(["pull", "--remote", nginx.url])
        XCTAssertTrue(full.output.contains("pulled 1 blob "), full.output)
        XCTAssertTrue(clone.store.contains(try origin.output("big", "state.1")))
    }

    func testFileRemoteRoundTrip() throws {
        let remote = directory.appendingPathComponent("shared cache")
        let origin = try project(extra: "remote: {lab: \"file://\(remote.path)\"}\n")
        succeeds(try origin.run(["push"]))
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: remote.appendingPathComponent("ac/\(try origin.key("big"))").path))
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        succeeds(try clone.run(["pull", "--remote", "lab"]))
        try upToDate(clone, count: 3)
        clone.assertStoreClean()
    }

    func testABlobDamagedOnTheServerIsRefused() throws {
        let origin = try project()
        succeeds(try origin.run(["push", "--remote", nginx.url]))
        let big = try origin.output("big", "big.bin")
        try Data("not the bytes".utf8).write(to: nginx.file("cas/\(big)"))
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        let pull = try clone.run(["pull", "--remote", nginx.url])
        XCTAssertEqual(pull.status, 1, pull.output)
        XCTAssertTrue(pull.output.contains("blob \(big) (output 'big.bin') is damaged"), pull.output)
        XCTAssertFalse(clone.store.contains(big))
        XCTAssertFalse(FileManager.default.fileExists(atPath: try clone.runRecord("big").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: try clone.runRecord("words").path), "the others came")
        clone.assertStoreClean()
    }

    func testAMissingBlobFailsThePullAndLeavesTheStoreClean() throws {
        let origin = try project()
        succeeds(try origin.run(["push", "--remote", nginx.url]))
        let sorted = try origin.output("words", "sorted.txt")
        try FileManager.default.removeItem(at: nginx.file("cas/\(sorted)"))
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        let pull = try clone.run(["pull", "words", "--remote", nginx.url])
        XCTAssertEqual(pull.status, 1, pull.output)
        XCTAssertTrue(pull.output.contains("blob \(sorted) (output 'sorted.txt') is missing"), pull.output)
        XCTAssertEqual(clone.store.digests(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: try clone.runRecord("words").path))
        clone.assertStoreClean()
    }

    func testAPullKilledMidBlobCompletesWhenRerun() throws {
        let origin = try project()
        succeeds(try origin.run(["push", "--remote", nginx.url]))
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        let killed = try clone.run(
            ["pull", "--remote", nginx.url],
            environment: ["REPRO_CRASH_STAGE": "big", "REPRO_CRASH_AT": "pulling-big.bin"])
        XCTAssertFalse(killed.exited, "killed by SIGKILL mid-blob: \(killed.output)")
        XCTAssertEqual(clone.temporaryFiles.count, 1, "the partial blob is in a temporary file")
        let partial = clone.store.root.appendingPathComponent("tmp/\(clone.temporaryFiles[0])")
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? Int)
        XCTAssertLessThan(size, 6_000_000)
        XCTAssertFalse(clone.store.contains(try origin.output("big", "big.bin")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: try clone.runRecord("big").path))

        succeeds(try clone.run(["pull", "--remote", nginx.url]))
        try upToDate(clone, count: 3)
        clone.assertStoreClean()
    }

    func testTwoPushesAtOnceBothSucceedAndLeaveTheRemoteConsistent() throws {
        // Two machines with the same results, but their own timings (volatile outputs).
        let first = try project("first"), second = try project("second")
        XCTAssertNotEqual(try first.output("big", "timing.txt"), try second.output("big", "timing.txt"))
        let pushes = try [first, second].map { try TestProcess.Started(["push", "--remote", nginx.url], in: $0.root) }
        for push in pushes { succeeds(push.finish()) }
        for name in try FileManager.default.contentsOfDirectory(atPath: nginx.file("ac").path) {
            let record = try JSONValue.decode(StageRecord.self, from: Data(contentsOf: nginx.file("ac/\(name)")))
            XCTAssertEqual(record.key, name)
            for (output, blob) in record.outputs {
                let data = try Data(contentsOf: nginx.file("cas/\(blob.sha256)"))
                XCTAssertEqual(FileDigest.sha256(data), blob.sha256, "\(output) of \(name) is on the remote, whole")
            }
        }
        let clone = try first.clone(to: directory.appendingPathComponent("clone"))
        succeeds(try clone.run(["pull", "--remote", nginx.url]))
        try upToDate(clone, count: 3)
    }

    func testARecordDifferingOnlyInVolatileOutputsKeepsTheRemotes() throws {
        let first = try project("first"), second = try project("second")
        succeeds(try first.run(["push", "--remote", nginx.url]))
        let kept = try Data(contentsOf: nginx.file("ac/\(try first.key("big"))"))
        let push = try second.run(["push", "--remote", nginx.url])
        succeeds(push)
        XCTAssertTrue(push.output.contains("0 run records, 3 already there"), push.output)
        XCTAssertEqual(try Data(contentsOf: nginx.file("ac/\(try first.key("big"))")), kept)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: nginx.file("cas/\(try second.output("big", "timing.txt"))").path))
    }

    func testAConflictingRunRecordIsADeterminismViolation() throws {
        // A stage whose non-volatile output differs from run to run: two runs, one key.
        let noisy = """
              noisy:
                kind: cmd
                deps: [words]
                params: {run: date +%s%N > $OUT/noise.txt, outputs: [noise.txt]}

            """
        let first = try project("first", extra: noisy), second = try project("second", extra: noisy)
        let key = try first.key("noisy")
        XCTAssertEqual(key, try second.key("noisy"))
        succeeds(try first.run(["push", "--remote", nginx.url]))
        let before = try Data(contentsOf: nginx.file("ac/\(key)"))
        let blobs = try FileManager.default.contentsOfDirectory(atPath: nginx.file("cas").path).sorted()

        let push = try second.run(["push", "--remote", nginx.url])
        XCTAssertEqual(push.status, 1, push.output)
        XCTAssertTrue(push.output.contains("determinism violation"), push.output)
        XCTAssertTrue(push.output.contains("stage 'noisy' (key \(key))"), push.output)
        let line =
            "output noise.txt: here \(try second.output("noisy", "noise.txt")), remote "
            + (try first.output("noisy", "noise.txt"))
        XCTAssertTrue(push.output.contains(line), push.output)
        XCTAssertEqual(try Data(contentsOf: nginx.file("ac/\(key)")), before, "nothing overwritten")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: nginx.file("cas").path).sorted(), blobs)
    }

    func testCredentialsComeFromNetrcAndAreNeverPrinted() throws {
        nginx.stop()
        let password = "s3cret-horse-battery"
        nginx = try Nginx(in: directory.appendingPathComponent("nginx-auth"), login: ("alice", password))
        let origin = try project()
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let anonymous = try origin.run(["push", "--remote", nginx.url], environment: ["HOME": home.path])
        XCTAssertEqual(anonymous.status, 2, anonymous.output)
        XCTAssertTrue(anonymous.output.contains("HTTP 401"), anonymous.output)

        try "machine 127.0.0.1\n  login alice\n  password \(password)\n".write(
            to: home.appendingPathComponent(".netrc"), atomically: true, encoding: .utf8)
        let push = try origin.run(["push", "--remote", nginx.url], environment: ["HOME": home.path])
        succeeds(push)
        let clone = try origin.clone(to: directory.appendingPathComponent("clone"))
        let pull = try clone.run(["pull", "--remote", nginx.url], environment: ["HOME": home.path])
        succeeds(pull)
        try upToDate(clone, count: 3)
        // On the command line a URL may carry them; they are never echoed.
        let inline = nginx.url.replacingOccurrences(of: "http://", with: "http://alice:\(password)@")
        let second = try origin.clone(to: directory.appendingPathComponent("second clone"))
        let explicit = try second.run(["pull", "--remote", inline], environment: ["HOME": home.path + "/nowhere"])
        succeeds(explicit)
        XCTAssertTrue(explicit.output.contains("pulling from \(nginx.url)"), explicit.output)
        for output in [anonymous.output, push.output, pull.output, explicit.output] {
            XCTAssertFalse(output.contains(password), output)
        }
        // pipeline.yaml may not hold them.
        let text = try String(contentsOf: clone.root.appendingPathComponent("pipeline.yaml"), encoding: .utf8)
        try (text + "remote: {origin: \"\(inline)\"}\n").write(
            to: clone.root.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        let refused = try clone.run(["pull"])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertTrue(refused.output.contains("holds credentials"), refused.output)
        XCTAssertFalse(refused.output.contains(password), refused.output)
    }
}
