/// Where a training step's time goes, by kind of parallel region, and how far more
/// threads could take it (`repro bench --parallelism`). Each region splits into chunks
/// fixed by the problem size (or, where the split changes no bit, into as many as 64
/// threads would get: `ComputeContext.forEach(splittable:)`), so at most `chunks`
/// workers help; the rest of the step (losses, the optimizer, packing) is serial.
public final class ParallelProfile: @unchecked Sendable {
    public enum Kind: String, CaseIterable, Sendable {
        case directConvolution = "3x3 conv forward and input gradient"
        case directConvolutionBackward = "3x3 conv weight gradient"
        case panelConvolution = "1x1 and im2col conv forward and input gradient"
        case panelConvolutionBackward = "1x1 and im2col conv weight gradient"
        case batchNorm = "batch norm"
    }

    /// Seconds spent in regions of each kind, by chunk count, at `threads` workers.
    private(set) var seconds: [Kind: [Int: Double]] = [:]
    public let threads: Int

    public init(threads: Int) {
        self.threads = threads
    }

    func record(_ kind: Kind, chunks: Int, seconds: Double) {
        self.seconds[kind, default: [:]][chunks, default: 0] += seconds
    }

    /// The time of kind's regions as measured, and as it would be on `workers` threads
    /// if each region scaled perfectly up to its chunk count.
    public func time(_ kind: Kind, on workers: Int? = nil) -> Double {
        (seconds[kind] ?? [:]).reduce(0) { sum, entry in
            let (chunks, measured) = entry
            let work = measured * Double(min(threads, chunks))
            return sum + work / Double(min(workers ?? threads, chunks))
        }
    }

    /// The smallest chunk count of kind's regions, weighted by nothing: the bottleneck.
    public func fewestChunks(_ kind: Kind) -> Int? { seconds[kind]?.keys.min() }

    /// Amdahl's bound: the step on `workers` threads against one, with `total` the
    /// measured step time (everything outside the regions is serial).
    public func speedup(on workers: Int, total: Double) -> Double {
        let parallel = Kind.allCases.reduce(0) { $0 + time($1) }
        let serial = max(0, total - parallel)
        let one = serial + Kind.allCases.reduce(0) { $0 + time($1, on: 1) }
        let many = serial + Kind.allCases.reduce(0) { $0 + time($1, on: workers) }
        return one / many
    }
}
