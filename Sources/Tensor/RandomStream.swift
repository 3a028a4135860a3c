import Foundation

/// The counter-based generator behind every random draw in repro (Philox-4x32-10,
/// Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011).
///
/// A stream is a pure function of (seed, purpose, epoch, index): there is no global or
/// time-seeded state, so an augmented image or an initial weight does not depend on
/// thread count, batch size or what was drawn before it, and resuming after a crash
/// needs no saved generator state beyond (epoch, index).
public struct RandomStream: Sendable {
    private let key: (UInt32, UInt32)
    private var counter: (UInt32, UInt32, UInt32, UInt32)
    private var block: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
    private var used = 4

    /// - Parameters:
    ///   - seed: the experiment's seed.
    ///   - purpose: what the draws are for ("init", "augment", "shuffle", "mixup", …);
    ///     different purposes never share numbers.
    ///   - epoch, index: position inside the purpose, e.g. (epoch, image index).
    public init(seed: UInt64, purpose: String, epoch: Int = 0, index: Int = 0) {
        let mixed = seed ^ RandomStream.fnv1a(purpose)
        key = (UInt32(truncatingIfNeeded: mixed), UInt32(truncatingIfNeeded: mixed >> 32))
        counter = (0, 0, UInt32(truncatingIfNeeded: index), UInt32(truncatingIfNeeded: epoch))
        // Indices beyond 2^32 fold into the block counter's high word.
        counter.1 = UInt32(truncatingIfNeeded: UInt64(bitPattern: Int64(index)) >> 32)
    }

    /// 32 random bits.
    public mutating func next() -> UInt32 {
        if used == 4 {
            block = RandomStream.philox(counter, key)
            counter.0 &+= 1
            used = 0
        }
        defer { used += 1 }
        switch used {
        case 0: return block.0
        case 1: return block.1
        case 2: return block.2
        default: return block.3
        }
    }

    /// Uniform in [0, 1) with 24 random bits (exact in Float).
    public mutating func uniform() -> Float {
        Float(next() >> 8) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double {
        let high = UInt64(next() >> 5), low = UInt64(next() >> 6)
        return Double(high << 26 | low) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Uniform integer in 0..<bound (Lemire's unbiased multiply-shift with rejection).
    public mutating func below(_ bound: Int) -> Int {
        check(bound > 0 && bound <= Int(UInt32.max), "RandomStream.below: bound \(bound) outside 1...\(UInt32.max)")
        let range = UInt32(bound)
        var product = UInt64(next()) * UInt64(range)
        var low = UInt32(truncatingIfNeeded: product)
        if low < range {
            let threshold = (0 &- range) % range
            while low < threshold {
                product = UInt64(next()) * UInt64(range)
                low = UInt32(truncatingIfNeeded: product)
            }
        }
        return Int(product >> 32)
    }

    /// Standard normal (Box–Muller, computed in Double).
    public mutating func normal() -> Double {
        let u1 = 1.0 - uniformDouble()  // (0, 1]
        let u2 = uniformDouble()
        return (-2.0 * Foundation.log(u1)).squareRoot() * Foundation.cos(2.0 * Double.pi * u2)
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang; shapes below 1 use the boost u^(1/shape).
    public mutating func gamma(_ shape: Double) -> Double {
        if shape < 1 {
            let u = 1.0 - uniformDouble()
            return gamma(shape + 1) * Foundation.pow(u, 1.0 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1.0 / (9.0 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = normal()
                v = 1.0 + c * x
            } while v <= 0
            v = v * v * v
            let u = 1.0 - uniformDouble()
            if Foundation.log(u) < 0.5 * x * x + d - d * v + d * Foundation.log(v) { return d * v }
        }
    }

    /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    public mutating func beta(_ a: Double, _ b: Double) -> Double {
        let x = gamma(a), y = gamma(b)
        return x + y > 0 ? x / (x + y) : 0.5
    }

    /// A uniformly random permutation of 0..<count (Fisher–Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var result = Array(0..<count)
        if count < 2 { return result }
        for i in stride(from: count - 1, to: 0, by: -1) {
            result.swapAt(i, below(i + 1))
        }
        return result
    }

    // MARK: Philox-4x32-10

    private static func philox(
        _ counter: (UInt32, UInt32, UInt32, UInt32), _ key: (UInt32, UInt32)
    )
        -> (UInt32, UInt32, UInt32, UInt32)
    {
        var c = counter, k = key
        for _ in 0..<10 {
            let p0 = UInt64(0xD251_1F53) * UInt64(c.0)
            let p1 = UInt64(0xCD9E_8D57) * UInt64(c.2)
            c = (
                UInt32(truncatingIfNeeded: p1 >> 32) ^ c.1 ^ k.0, UInt32(truncatingIfNeeded: p1),
                UInt32(truncatingIfNeeded: p0 >> 32) ^ c.3 ^ k.1, UInt32(truncatingIfNeeded: p0)
            )
            k = (k.0 &+ 0x9E37_79B9, k.1 &+ 0xBB67_AE85)
        }
        return c
    }

    /// FNV-1a, 64 bit: a stable hash of the purpose name (Swift's Hasher is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
