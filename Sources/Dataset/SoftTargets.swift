import Foundation

/// Soft targets for a (possibly mixed) batch: row i is
/// w·q(y_i) + (1 − w)·q(y_{B−1−i}), where q is the one-hot vector smoothed GluonCV's way
/// (1 − ε + ε/K on the true class, ε/K elsewhere; RECIPE.md §6.1) and w the label weight.
public enum SoftTargets {
    /// - Parameters:
    ///   - targets: count × classes floats, overwritten.
    ///   - weight: the weight of each row's own label (1 without mixing).
    public static func fill(
        _ targets: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int32>, count: Int,
        classes: Int, smoothing: Float, weight: Float
    ) {
        let off = smoothing / Float(classes), on = 1 - smoothing + off
        for i in 0..<count {
            let row = targets + i * classes
            for k in 0..<classes { row[k] = off }
            let own = Int(labels[i]), partner = Int(labels[count - 1 - i])
            if own == partner {
                row[own] = on
            } else {
                row[own] = weight * on + (1 - weight) * off
                row[partner] = weight * off + (1 - weight) * on
            }
        }
    }
}
