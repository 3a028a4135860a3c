import Dataset
import Foundation
import NN

/// Top-1, top-5 (%) and mean cross-entropy of a model in inference mode over a split
/// (RECIPE.md §9): every image once, no augmentation, ties broken by index order.
public struct Evaluation: Equatable, Sendable {
    public var top1: Double
    public var top5: Double
    public var loss: Double
    public var count: Int

    public static func run(_ model: Model, loader: BatchLoader) -> Evaluation {
        var correct1 = 0, correct5 = 0, lossSum = 0.0, count = 0
        var batch = Batch()
        let batches = loader.epoch(0)
        while batches.next(into: &batch) {
            let logits = batch.images.withUnsafeBufferPointer {
                Array(model.forward($0.baseAddress!, batch: batch.count, training: false))
            }
            let labels = batch.labels.map(Int.init)
            let output = SoftmaxCrossEntropy.loss(logits: logits, labels: labels, classes: model.classes)
            for i in 0..<batch.count {
                let rank = Evaluation.rank(of: labels[i], in: logits[(i * model.classes)..<((i + 1) * model.classes)])
                if rank < 1 { correct1 += 1 }
                if rank < 5 { correct5 += 1 }
                lossSum += Double(output.perSample[i])
            }
            count += batch.count
        }
        let n = Double(max(count, 1))
        return Evaluation(
            top1: 100 * Double(correct1) / n, top5: 100 * Double(correct5) / n, loss: lossSum / n, count: count)
    }

    /// How many classes rank above the label: larger logits, or equal logits at a lower index.
    /// A NaN logit of the label ranks last: a broken model never scores.
    static func rank(of label: Int, in logits: ArraySlice<Float>) -> Int {
        let base = logits.startIndex, value = logits[base + label]
        if value.isNaN { return logits.count }
        var above = 0
        for k in logits.indices where logits[k] > value || (logits[k] == value && k - base < label) {
            above += 1
        }
        return above
    }
}
