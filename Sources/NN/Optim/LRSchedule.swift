import Foundation

/// Learning rate per update (RECIPE.md §5, GluonCV's LRScheduler/LRSequential): linear
/// warm-up, then step, polynomial or cosine decay, all counted in iterations.
///
/// With I iterations per epoch, Nw = warmupEpochs·I and Nm = (epochs − warmupEpochs)·I,
/// for the update index u = 1, 2, … (MXNet counts from 1):
/// - warm-up, u < Nw: η = η₀·u/(Nw − 1);
/// - then T = clamp(u − Nw, 0, Nm − 1), N = Nm − 1 and
///   cosine η = η₀·(1 + cos(πT/N))/2, poly η = η₀·(1 − T/N)^p,
///   step η = η₀·factor^k with k = #{decay epochs e : (e − W)·I ≤ T}.
public struct LRSchedule: Sendable, Equatable {
    public enum Decay: Sendable, Equatable {
        case step(epochs: [Int], factor: Double)
        case poly(power: Double)
        case cosine
    }

    public var decay: Decay
    public var baseRate: Double
    public var epochs: Int
    public var warmupEpochs: Int
    public var iterationsPerEpoch: Int

    public init(decay: Decay, baseRate: Double, epochs: Int, warmupEpochs: Int = 0, iterationsPerEpoch: Int) {
        self.decay = decay
        self.baseRate = baseRate
        self.epochs = epochs
        self.warmupEpochs = warmupEpochs
        self.iterationsPerEpoch = iterationsPerEpoch
    }

    /// The rate of update `update` (1-based).
    public func rate(atUpdate update: Int) -> Double {
        let warmup = warmupEpochs * iterationsPerEpoch
        if update < warmup {
            return warmup > 1 ? baseRate * Double(update) / Double(warmup - 1) : baseRate
        }
        let main = (epochs - warmupEpochs) * iterationsPerEpoch
        let span = max(main - 1, 0)
        let t = min(max(update - warmup, 0), span)
        switch decay {
        case .cosine:
            return span == 0 ? baseRate : baseRate * (1 + cos(Double.pi * Double(t) / Double(span))) / 2
        case .poly(let power):
            return span == 0 ? baseRate : baseRate * pow(1 - Double(t) / Double(span), power)
        case .step(let decayEpochs, let factor):
            let drops = decayEpochs.filter { ($0 - warmupEpochs) * iterationsPerEpoch <= t }.count
            return baseRate * pow(factor, Double(drops))
        }
    }
}
