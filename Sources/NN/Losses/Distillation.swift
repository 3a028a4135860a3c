import Foundation
import Tensor

/// Knowledge distillation (RECIPE.md §7, GluonCV's DistillationSoftmaxCrossEntropyLoss):
/// per sample (1 − h)·T²·CE(z/T, p) + h·CE(z, t_hard), with p = softmax(teacher/T)
/// computed outside the gradient; averaged over the batch.
/// dL/dz = [(1 − h)·T·(softmax(z/T)·Σp − p) + h·(softmax(z)·Σt − t)]/N.
public struct Distillation: Sendable {
    public var temperature: Float
    public var hardWeight: Float

    public init(temperature: Float = 20, hardWeight: Float = 0.5) {
        self.temperature = temperature
        self.hardWeight = hardWeight
    }

    /// The loss plus its two per-sample terms before weighting: soft = T²·CE(z/T, p), hard = CE(z, t).
    public struct Output: Sendable {
        public var total: LossOutput
        public var perSampleSoft: [Float]
        public var perSampleHard: [Float]
    }

    /// p = softmax(teacherLogits / T), row by row.
    public func softTargets(teacherLogits: [Float], classes: Int) -> [Float] {
        var p = [Float](repeating: 0, count: teacherLogits.count)
        for row in stride(from: 0, to: teacherLogits.count, by: classes) {
            let logP = SoftmaxCrossEntropy.logSoftmax(teacherLogits[row..<row + classes], scale: Double(temperature))
            for k in 0..<classes { p[row + k] = Float(Foundation.exp(logP[k])) }
        }
        return p
    }

    /// - Parameters:
    ///   - softTargets: p from `softTargets(teacherLogits:)`.
    ///   - hardTargets: dense hard targets (one-hot, smoothed and/or mixed).
    public func loss(logits: [Float], softTargets: [Float], hardTargets: [Float], classes: Int) -> Output {
        check(
            logits.count == softTargets.count && logits.count == hardTargets.count && logits.count % classes == 0,
            "distillation: \(logits.count) logits, \(softTargets.count) soft and \(hardTargets.count) hard targets "
                + "for \(classes) classes"
        )
        let batch = logits.count / classes
        let t = Double(temperature), h = Double(hardWeight)
        var soft = [Float](repeating: 0, count: batch), hard = soft, perSample = soft
        var dLogits = [Float](repeating: 0, count: logits.count)
        var total: Double = 0
        for n in 0..<batch {
            let rows = n * classes..<(n + 1) * classes
            let (softValue, softGradient) = SoftmaxCrossEntropy.rowLoss(logits[rows], softTargets[rows], scale: t)
            let (hardValue, hardGradient) = SoftmaxCrossEntropy.rowLoss(logits[rows], hardTargets[rows], scale: 1)
            let value = (1 - h) * t * t * softValue + h * hardValue
            soft[n] = Float(t * t * softValue)
            hard[n] = Float(hardValue)
            perSample[n] = Float(value)
            total += value
            // d(T²·CE(z/T, p))/dz = T·(softmax(z/T)·Σp − p)
            for k in 0..<classes {
                dLogits[rows.lowerBound + k] = Float(
                    ((1 - h) * t * softGradient[k] + h * hardGradient[k]) / Double(batch))
            }
        }
        return Output(
            total: LossOutput(loss: Float(total / Double(batch)), perSample: perSample, dLogits: dLogits),
            perSampleSoft: soft, perSampleHard: hard)
    }
}
