import Dispatch

/// The machine's measured FMA peak: every thread runs independent chains of vector FMAs on
/// registers alone (no loads, no stores), as many chains as keep both FMA pipes busy
/// through their latency. `repro bench` divides what a model achieves by it, so the share
/// of peak is of this machine and this build's ISA, not of a datasheet.
public enum PeakFMA {
    /// FLOP/s of `threads` threads together: the best of `rounds` timed rounds, each
    /// `iterations` passes over the chains per thread.
    public static func measure(threads: Int, iterations: Int = 10_000_000, rounds: Int = 5) -> Double {
        let flops = Double(threads) * Double(iterations) * Double(Chains.flopsPerPass)
        var best = 0.0
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                sink(worker, Chains.run(iterations))
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            best = max(best, flops / seconds)
        }
        return best
    }

    /// Keeps the chains' result alive: the optimizer may not drop what reaches memory.
    private static func sink(_ worker: Int, _ value: Float) {
        if value == .infinity { print("peak: \(worker) overflowed") }
    }
}

/// Independent chains a ← a·b + c: 12 SIMD16 registers on AVX-512 (of 32), 6 on AVX2,
/// where a SIMD16 is two of the 16 ymm registers. Twelve 512-bit or 256-bit FMAs in flight
/// cover a 4-cycle latency on two pipes. b < 1 keeps every value finite and normal.
private enum Chains {
    typealias V = SIMD16<Float>

    #if REPRO_AVX512
        static let count = 12
    #else
        static let count = 6
    #endif
    static let flopsPerPass = count * V.scalarCount * 2

    @inline(never)
    static func run(_ iterations: Int) -> Float {
        let b = V(repeating: 0.999_9), c = V(repeating: 1e-4)
        var a0 = V(repeating: 0.1), a1 = V(repeating: 0.2), a2 = V(repeating: 0.3)
        var a3 = V(repeating: 0.4), a4 = V(repeating: 0.5), a5 = V(repeating: 0.6)
        #if REPRO_AVX512
            var a6 = V(repeating: 0.7), a7 = V(repeating: 0.8), a8 = V(repeating: 0.9)
            var a9 = V(repeating: 1.0), a10 = V(repeating: 1.1), a11 = V(repeating: 1.2)
        #endif
        for _ in 0..<iterations {
            a0 = c.addingProduct(a0, b); a1 = c.addingProduct(a1, b); a2 = c.addingProduct(a2, b)
            a3 = c.addingProduct(a3, b); a4 = c.addingProduct(a4, b); a5 = c.addingProduct(a5, b)
            #if REPRO_AVX512
                a6 = c.addingProduct(a6, b); a7 = c.addingProduct(a7, b); a8 = c.addingProduct(a8, b)
                a9 = c.addingProduct(a9, b); a10 = c.addingProduct(a10, b); a11 = c.addingProduct(a11, b)
            #endif
        }
        var total = a0 + a1 + a2 + a3 + a4 + a5
        #if REPRO_AVX512
            total += a6 + a7 + a8 + a9 + a10 + a11
        #endif
        return total.sum()
    }
}
