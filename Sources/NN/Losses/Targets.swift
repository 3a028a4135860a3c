import Tensor

/// Dense target distributions (N, K) for the soft-target cross-entropy (RECIPE.md §6).
public enum Targets {
    /// (1 − ε)·onehot + ε/K: GluonCV's `smooth()` (on = 1 − ε + ε/K, off = ε/K); ε = 0 is plain one-hot.
    public static func oneHot(_ labels: [Int], classes: Int, smoothing epsilon: Float = 0) -> [Float] {
        let off = epsilon / Float(classes)
        var targets = [Float](repeating: off, count: labels.count * classes)
        for (n, label) in labels.enumerated() {
            check(label >= 0 && label < classes, "Targets.oneHot: label \(label) of sample \(n) outside 0..<\(classes)")
            targets[n * classes + label] = 1 - epsilon + off
        }
        return targets
    }

    /// λ·a + (1 − λ)·b, elementwise (mixup of two target sets).
    public static func mix(_ a: [Float], _ b: [Float], lambda: Float) -> [Float] {
        check(a.count == b.count, "Targets.mix: \(a.count) against \(b.count) targets")
        return zip(a, b).map { lambda * $0 + (1 - lambda) * $1 }
    }

    /// GluonCV's mixup targets: the batch paired with its reverse, each one-hot smoothed first.
    public static func mixup(_ labels: [Int], classes: Int, smoothing epsilon: Float = 0, lambda: Float) -> [Float] {
        mix(
            oneHot(labels, classes: classes, smoothing: epsilon),
            oneHot(labels.reversed(), classes: classes, smoothing: epsilon), lambda: lambda)
    }
}
