import Foundation

/// A kind's estimate of a stage's duration as a function of the nodes and threads it
/// gets: the data-parallel model `ClusterPlan` chooses nodes with. P ranks each compute
/// their block of the K parts (`devices`), ⌈K/P⌉ of them, on a node's threads (Amdahl),
/// and every optimizer step each rank sends and receives the gradient reduce-scatter
/// plus the parameter all-gather, 2 × 4 B × parameters × (P-1)/P, over the network.
/// No overlap of communication with compute is assumed: the estimate is an upper bound
/// on that account.
public struct WorkEstimate: Sendable, Equatable {
    /// Seconds of the whole run on one thread of one node.
    public var oneThreadSeconds: Double
    /// The share of that time that runs in parallel on a node's threads.
    public var parallelShare: Double
    /// The data-parallel parts (`devices`): a stage uses at most this many nodes.
    public var parts: Int
    /// Optimizer steps of the run: one exchange each.
    public var steps: Int
    /// Parameters exchanged each step (float32).
    public var parameters: Int
    /// Where the speed came from: a calibration file's name, or the fallback's figures.
    public var source: String

    public init(
        oneThreadSeconds: Double, parallelShare: Double, parts: Int = 1, steps: Int = 0, parameters: Int = 0,
        source: String
    ) {
        self.oneThreadSeconds = oneThreadSeconds
        self.parallelShare = parallelShare
        self.parts = max(1, parts)
        self.steps = steps
        self.parameters = parameters
        self.source = source
    }

    /// Amdahl's speed-up on `threads` threads over one.
    public func speedup(threads: Int) -> Double {
        1 / ((1 - parallelShare) + parallelShare / Double(max(1, threads)))
    }

    /// Bytes one rank sends per step on `nodes` ranks (as many it receives).
    public func bytesPerStep(nodes: Int) -> Double {
        nodes <= 1 ? 0 : 2 * 4 * Double(parameters) * Double(nodes - 1) / Double(nodes)
    }

    /// Seconds spent exchanging over a network of `gigabits` Gb/s.
    public func communicationSeconds(nodes: Int, gigabits: Double) -> Double {
        Double(steps) * bytesPerStep(nodes: nodes) / (gigabits * 1e9 / 8)
    }

    /// Seconds on `nodes` nodes of `threads` threads each, over `gigabits` Gb/s.
    public func seconds(nodes: Int = 1, threads: Int, gigabits: Double = 10) -> Double {
        let ranks = min(max(1, nodes), parts)
        let share = Double((parts + ranks - 1) / ranks) / Double(parts)
        return oneThreadSeconds * share / speedup(threads: threads)
            + communicationSeconds(nodes: ranks, gigabits: gigabits)
    }
}
