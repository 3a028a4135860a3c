import Foundation
import Support

/// `artifacts/<profile>.lock`: per stage its key, parameters, dependency and input
/// hashes, outputs and metrics, plus the numeric environment of the last run. JSON with
/// sorted keys and no timestamps, so `git diff` shows exactly what changed. Written
/// atomically, after the outputs it names are in the store, and read-modify-written
/// under a flock so that concurrent runs never lose each other's entries.
public struct LockFile: Sendable, Equatable {
    public var environment: [String: String] = [:]
    public var stages: [String: StageRecord] = [:]

    public init() {}

    /// An absent file is an empty lock.
    public static func read(_ url: URL) throws -> LockFile {
        guard let data = FileManager.default.contents(atPath: url.path) else { return LockFile() }
        let json: JSONValue
        do {
            json = try JSONParser.parse(data)
        } catch {
            throw PipelineError.badInput(
                "\(url.path) is not valid JSON (\(error)); restore it from git or delete it to start over")
        }
        var lock = LockFile()
        lock.environment = (json["environment"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        for (name, value) in json["stages"]?.objectValue ?? [:] {
            guard let record = try? value.decode(StageRecord.self) else {
                throw PipelineError.badInput(
                    "\(url.path): the entry of stage '\(name)' is incomplete; restore the file from git or delete "
                        + "the entry"
                )
            }
            lock.stages[name] = record.filling(
                from: RunRecords.read(record.key, Artifacts(root: url.deletingLastPathComponent())))
        }
        return lock
    }

    func write(_ url: URL) throws {
        try AtomicFile.write(JSONValue.data(self, .pretty), to: url)
    }

    /// Read, change and write the lock while holding its flock.
    static func update(_ url: URL, artifacts: Artifacts, _ change: (inout LockFile) -> Void) throws {
        try FileLock.holding(artifacts.locks.appendingPathComponent("\(url.lastPathComponent).flock")) {
            var lock = try read(url)
            let before = lock
            change(&lock)
            if lock != before { try lock.write(url) }
        }
    }
}

extension LockFile: Encodable {
    private enum CodingKeys: String, CodingKey { case scheme, environment, stages }

    public func encode(to encoder: Encoder) throws {
        var object = encoder.container(keyedBy: CodingKeys.self)
        try object.encode(StageFingerprint.scheme, forKey: .scheme)
        try object.encode(environment, forKey: .environment)
        try object.encode(stages.mapValues(\.forLock), forKey: .stages)
    }
}
