import Foundation
import Tensor

/// `repro bench --parallelism`: per kind of parallel region, the fewest chunks it splits
/// into and its share of the training step, then Amdahl's bound on the step's speed-up
/// at 8, 16, 32 and 64 threads (each region perfect up to its chunk count, the rest of
/// the step serial). What a 64-core node can gain before any kernel changes.
struct ParallelismReport {
    let profile: ParallelProfile
    /// Wall time of the timed steps, over which the profile summed its regions.
    let timedSeconds: Double

    static let threadCounts = [8, 16, 32, 64]

    static func padded(_ text: String) -> String { text.padding(toLength: 48, withPad: " ", startingAt: 0) }

    /// The bound on the step's speed-up at `threads` and at each of `threadCounts`.
    func bounds(including threads: Int) -> [String: Double] {
        Dictionary(
            uniqueKeysWithValues: Set([threads] + Self.threadCounts).map {
                (String($0), profile.speedup(on: $0, total: timedSeconds))
            })
    }

    var text: String {
        var lines = ["parallel regions (\(profile.threads) threads):"]
        var covered = 0.0
        for kind in ParallelProfile.Kind.allCases {
            let time = profile.time(kind)
            guard time > 0, let chunks = profile.fewestChunks(kind) else { continue }
            covered += time
            lines.append(
                "  " + ParallelismReport.padded(kind.rawValue)
                    + String(
                        format: " %5.1f %% of the step, %d chunk%@ at fewest", 100 * time / timedSeconds, chunks,
                        chunks == 1 ? "" : "s"))
        }
        lines.append(
            "  " + ParallelismReport.padded("serial (losses, optimizer, packing, copies)")
                + String(format: " %5.1f %% of the step", 100 * max(0, timedSeconds - covered) / timedSeconds))
        let bounds = ParallelismReport.threadCounts.map {
            String(format: "%d threads %.1fx", $0, profile.speedup(on: $0, total: timedSeconds))
        }
        lines.append("Amdahl bound on the step's speed-up over one thread: " + bounds.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}
