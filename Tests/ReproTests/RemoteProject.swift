import Foundation
import Pipeline
import Support
import TestSupport
import XCTest

/// A small project of cmd stages for the push and pull tests, done in a second:
///
///     words ── big ── report
///
/// `big` writes a 6 MB blob (`big.bin`, big enough to be caught mid-transfer), an
/// intermediate state (`state.1`, left out by `pull --outputs-only`) and a volatile
/// timing that differs from run to run, as a training's seconds per epoch do.
struct RemoteProject {
    let root: URL

    static let pipeline = """
        stages:
          words:
            kind: cmd
            params: {run: sort words.txt > $OUT/sorted.txt, inputs: [words.txt], outputs: [sorted.txt]}
          big:
            kind: cmd
            deps: [words]
            params:
              run: |
                head -c 6000000 /dev/zero | tr '\\0' 'x' > $OUT/big.bin
                sed "s/^/state: /" $DEPS/words/sorted.txt > $OUT/state.1
                date +%s%N > $OUT/timing.txt
              outputs: [big.bin, state.1, timing.txt]
              volatile: [timing.txt]
          report:
            kind: cmd
            deps: [big]
            params: {run: wc -c < $DEPS/big/big.bin > $OUT/report.txt, outputs: [report.txt]}

        """

    /// Writes the project; `extra` is appended to the pipeline file (more stages, `remote:`).
    @discardableResult
    static func create(at root: URL, extra: String = "") throws -> RemoteProject {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try (pipeline + extra).write(
            to: root.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        try "pear\napple\nfig\n".write(to: root.appendingPathComponent("words.txt"), atomically: true, encoding: .utf8)
        return RemoteProject(root: root)
    }

    /// What a fresh clone of the repository holds: every file but the cache, work and logs
    /// (the committed lock included), as `git clone` would give.
    func clone(to target: URL) throws -> RemoteProject {
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path) where name != "artifacts" {
            try FileManager.default.copyItem(
                at: root.appendingPathComponent(name), to: target.appendingPathComponent(name))
        }
        let artifacts = root.appendingPathComponent("artifacts")
        let copy = target.appendingPathComponent("artifacts")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: artifacts.path)
        where !["cache", "work", "logs"].contains(name) {
            try FileManager.default.copyItem(
                at: artifacts.appendingPathComponent(name), to: copy.appendingPathComponent(name))
        }
        return RemoteProject(root: target)
    }

    @discardableResult
    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> TestProcess.Result {
        try TestProcess.repro(arguments, in: root, environment: environment)
    }

    var artifacts: Artifacts { Artifacts(root: root.appendingPathComponent("artifacts")) }
    var store: ContentStore { artifacts.store }

    func lock(profile: String = "paper") throws -> LockFile {
        try LockFile.read(artifacts.lockFile(profile: profile))
    }

    func key(_ stage: String) throws -> String {
        try XCTUnwrap(try lock().stages[stage]?.key, "the lock names \(stage)")
    }

    /// The hash of a stage's output, as the run record names it.
    func output(_ stage: String, _ name: String) throws -> String {
        let record = try XCTUnwrap(
            try JSONValue.decode(StageRecord.self, from: Data(contentsOf: runRecord(stage))), "run record of \(stage)")
        return try XCTUnwrap(record.outputs[name]?.sha256, "\(stage) has output \(name)")
    }

    func runRecord(_ stage: String) throws -> URL {
        artifacts.store.root.appendingPathComponent("runs/\(try key(stage)).json")
    }

    /// Files in the store's temporary directory.
    var temporaryFiles: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: store.root.appendingPathComponent("tmp").path)) ?? []
    }

    /// Fails unless the store holds only complete entries that hash to their names, no
    /// temporary file and nothing quarantined.
    func assertStoreClean(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(temporaryFiles, [], "no temporary file is left", file: file, line: line)
        let quarantine = store.root.appendingPathComponent("quarantine").path
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: quarantine), "nothing was quarantined", file: file, line: line)
        for digest in store.digests() {
            XCTAssertTrue(store.verify(digest), "entry \(digest) hashes to its name", file: file, line: line)
        }
    }
}
