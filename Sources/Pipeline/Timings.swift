import Foundation

/// The last duration of each stage (`artifacts/cache/timings.json`), for the estimates of
/// `--dry-run`. Volatile by nature: kept out of the lock and out of every key.
struct Timings {
    let artifacts: Artifacts

    func read() -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: artifacts.timings.path),
              let json = try? JSONParser.parse(data) else { return [:] }
        return (json.objectValue ?? [:]).compactMapValues(\.doubleValue)
    }

    func record(_ stage: String, seconds: Double) {
        guard let guardLock = try? FileLock(artifacts.locks.appendingPathComponent("timings.flock")) else { return }
        defer { withExtendedLifetime(guardLock) {} }
        var all = read()
        all[stage] = (seconds * 1000).rounded() / 1000
        try? AtomicFile.write(Data(JSONValue.object(all.mapValues { .double($0) }).pretty.utf8), to: artifacts.timings)
    }
}
