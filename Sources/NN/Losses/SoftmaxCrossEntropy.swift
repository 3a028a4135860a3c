import Foundation
import Tensor

/// A loss over a batch: the batch mean, the per-sample values and d(mean)/d(logits).
public struct LossOutput: Sendable {
    public var loss: Float
    public var perSample: [Float]
    public var dLogits: [Float]
    public var isFinite: Bool { loss.isFinite }
}

/// Softmax cross-entropy CE(z, t) = −Σₖ tₖ·log softmax(z)ₖ with dense targets t (one-hot,
/// smoothed, mixed), averaged over the batch. dL/dz = (softmax(z)·Σt − t)/N.
/// Each row is computed in double: the cost is negligible next to the network.
public enum SoftmaxCrossEntropy {
    public static func loss(logits: [Float], targets: [Float], classes: Int) -> LossOutput {
        check(
            classes > 0 && logits.count == targets.count && logits.count % classes == 0,
            "cross-entropy: \(logits.count) logits, \(targets.count) targets, \(classes) classes")
        let batch = logits.count / classes
        var perSample = [Float](repeating: 0, count: batch)
        var dLogits = [Float](repeating: 0, count: logits.count)
        var total: Double = 0
        for n in 0..<batch {
            let row = n * classes
            let (value, gradient) = rowLoss(logits[row..<row + classes], targets[row..<row + classes], scale: 1)
            perSample[n] = Float(value)
            total += value
            for k in 0..<classes { dLogits[row + k] = Float(gradient[k] / Double(batch)) }
        }
        return LossOutput(loss: Float(total / Double(batch)), perSample: perSample, dLogits: dLogits)
    }

    /// Hard labels: `loss(targets: oneHot(labels))`.
    public static func loss(logits: [Float], labels: [Int], classes: Int) -> LossOutput {
        loss(logits: logits, targets: Targets.oneHot(labels, classes: classes), classes: classes)
    }

    /// log softmax(z/scale) of one row, in double.
    static func logSoftmax(_ z: ArraySlice<Float>, scale: Double) -> [Double] {
        let values = z.map { Double($0) / scale }
        let top = values.max() ?? 0
        let logSum = Foundation.log(values.reduce(0) { $0 + Foundation.exp($1 - top) }) + top
        return values.map { $0 - logSum }
    }

    /// CE(z/scale, t) of one row and its gradient with respect to z/scale: softmax·Σt − t.
    static func rowLoss(_ z: ArraySlice<Float>, _ t: ArraySlice<Float>, scale: Double) -> (Double, [Double]) {
        let logP = logSoftmax(z, scale: scale)
        let targets = t.map(Double.init)
        let mass = targets.reduce(0, +)
        var value: Double = 0
        for k in 0..<logP.count where targets[k] != 0 { value -= targets[k] * logP[k] }
        return (value, (0..<logP.count).map { Foundation.exp(logP[$0]) * mass - targets[$0] })
    }
}
