import Foundation

/// Seeded damage to a file's bytes (SplitMix64: the same mutants on every run, so a
/// failure reproduces): 1–5 flipped bits, half of them in the first 4 KiB where an HDF5
/// file keeps its superblock and object headers, or the file cut short.
struct HDF5Mutations {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// One damaged copy of `bytes` and what was done to it.
    mutating func damage(_ bytes: [UInt8]) -> (bytes: [UInt8], what: String) {
        if below(4) == 0 {
            let length = below(bytes.count)
            return (Array(bytes[..<length]), "truncated to \(length) bytes")
        }
        var copy = bytes
        var flips: [String] = []
        for _ in 0...below(5) {
            let offset = below(2) == 0 ? below(min(4096, bytes.count)) : below(bytes.count)
            let bit = below(8)
            copy[offset] ^= 1 << bit
            flips.append("byte \(offset) bit \(bit)")
        }
        return (copy, "flipped " + flips.joined(separator: ", "))
    }
}
