import Foundation
import Support

/// The last duration of each stage per profile (`artifacts/cache/timings.json`, keyed
/// "profile/stage": a smoke run says nothing about the paper's), for the estimates of
/// `--dry-run`. Volatile by nature: kept out of the lock and out of every key.
struct Timings {
    let artifacts: Artifacts

    func read() -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: artifacts.timings.path),
            let json = try? JSONParser.parse(data)
        else { return [:] }
        return (json.objectValue ?? [:]).compactMapValues(\.doubleValue)
    }

    static func key(profile: String, stage: String) -> String { "\(profile)/\(stage)" }

    func record(_ key: String, seconds: Double) {
        // Volatile and best effort: a timing that cannot be saved is not worth failing a run for.
        try? FileLock.holding(artifacts.locks.appendingPathComponent("timings.flock")) {
            var all = read()
            all[key] = (seconds * 1000).rounded() / 1000
            try AtomicFile.write(JSONValue.data(all, .pretty), to: artifacts.timings)
        }
    }
}
