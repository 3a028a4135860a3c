import Foundation
import Support

/// Which segments of a training an audit replays: `count` of them (all when nil or more
/// than there are), drawn without replacement by a generator seeded from the audit's seed
/// and the stage's name, so `--seed S` picks the same segments again.
struct SegmentSample {
    let count: Int?
    let seed: UInt64

    func indices(of segments: Int, stage: String) -> [Int] {
        let wanted = min(count ?? segments, segments)
        var generator = SplitMix64(state: seed ^ Self.fnv1a(stage))
        var pool = Array(0..<segments)
        // a partial Fisher-Yates shuffle: the first `wanted` places
        for place in 0..<wanted {
            let pick = place + Int(generator.next() % UInt64(segments - place))
            pool.swapAt(place, pick)
        }
        return pool.prefix(wanted).sorted()
    }

    private static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}

/// Steele, Lea and Flood's SplitMix64: a small generator whose sequence is fixed by its seed.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
