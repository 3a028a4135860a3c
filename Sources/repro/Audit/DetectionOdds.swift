import Foundation

/// The chance that an audit catches a training with a share of faked epochs: exactly
/// hypergeometric over the stage's segments, 1 − C(S − F, m) / C(S, m) for S segments of
/// which m are replayed, the forger's best case assumed: the f = ⌈share · E⌉ faked epochs
/// packed into the fewest segments, F = ⌈f / k⌉. Every epoch of a replayed segment is
/// compared with zero tolerance, so a faked segment that is replayed is always caught.
struct DetectionOdds {
    static let shares = [0.05, 0.10, 0.25]
    static let formula =
        "caught: 1 − C(S−F, m)/C(S, m) (exact, hypergeometric) for S segments, m replayed, the faked epochs "
        + "packed into the fewest F = ⌈⌈share·E⌉/k⌉ segments"

    let segments: Int
    let replayed: Int
    let epochs: Int
    let every: Int

    func caught(share: Double) -> Double {
        let faked = Int((share * Double(epochs)).rounded(.up))
        let fakedSegments = min(segments, (faked + every - 1) / every)
        guard fakedSegments > 0 else { return 0 }
        var missed = 1.0
        for i in 0..<replayed { missed *= Double(max(0, segments - fakedSegments - i)) / Double(segments - i) }
        return 1 - missed
    }

    var text: String {
        let shares = Self.shares.map { String(format: "%.0f %%", 100 * $0) }.joined(separator: " / ")
        let odds = Self.shares.map { String(format: "%.1f %%", 100 * caught(share: $0)) }.joined(separator: " / ")
        return "caught if \(shares) of its epochs were faked: \(odds)"
    }
}
