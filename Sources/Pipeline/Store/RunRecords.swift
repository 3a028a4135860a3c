import Foundation
import Support

/// `artifacts/cache/runs/<key>.json`: what a key produced, written after its outputs are
/// in the store. A key whose record exists and whose outputs are present is done,
/// whichever profile, process or revision ran it.
struct RunRecords {
    let artifacts: Artifacts
    let hashes: HashCache

    /// The key's record if every output it names is in the store (checked by stat
    /// against the hash cache; a changed file is re-hashed). An intermediate output
    /// (`OutputRecord.isIntermediate`) may be absent, as after `repro pull --outputs-only`;
    /// if present, it must be intact.
    func valid(_ key: String) -> StageRecord? {
        guard let record = Self.read(key, artifacts) else { return nil }
        for (name, output) in record.outputs {
            let sha = (try? hashes.sha256(artifacts.store.path(output.sha256))) ?? nil
            if sha == output.sha256 || (sha == nil && OutputRecord.isIntermediate(name: name)) { continue }
            return nil
        }
        return record
    }

    /// The key's record as written, whatever the store holds; nil when absent or unreadable.
    static func read(_ key: String, _ artifacts: Artifacts) -> StageRecord? {
        guard let data = FileManager.default.contents(atPath: artifacts.runRecord(key).path),
            let record = try? JSONValue.decode(StageRecord.self, from: data), record.key == key
        else { return nil }
        return record
    }

    func write(_ record: StageRecord) throws {
        try AtomicFile.write(JSONValue.data(record, .pretty), to: artifacts.runRecord(record.key))
    }
}
