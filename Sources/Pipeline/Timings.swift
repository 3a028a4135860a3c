import Foundation

/// The last duration of each stage per profile (`artifacts/cache/timings.json`, keyed
/// "profile/stage": a smoke run says nothing about the paper's), for the estimates of
/// `--dry-run`. Volatile by nature: kept out of the lock and out of every key.
struct Timings {
    let artifacts: Artifacts

    func read() -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: artifacts.timings.path),
              let json = try? JSONParser.parse(data) else { return [:] }
        return (json.objectValue ?? [:]).compactMapValues(\.doubleValue)
    }

    static func key(profile: String, stage: String) -> String { "\(profile)/\(stage)" }

    func record(_ key: String, seconds: Double) {
        guard let guardLock = try? FileLock(artifacts.locks.appendingPathComponent("timings.flock")) else { return }
        defer { withExtendedLifetime(guardLock) {} }
        var all = read()
        all[key] = (seconds * 1000).rounded() / 1000
        try? AtomicFile.write(Data(JSONValue.object(all.mapValues { .double($0) }).pretty.utf8), to: artifacts.timings)
    }
}
