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

    /// With several ranks (`collective`), rank r evaluates its block of consecutive
    /// batches, the same batches as one process, and every rank gets every image's rank of
    /// its label and loss; they are added in image order, so the result has the bits of one
    /// process for any number of ranks.
    public static func run(_ model: Model, loader: BatchLoader, collective: Collective = SingleProcess()) -> Evaluation
    {
        let batches = loader.batchesPerEpoch, ranks = collective.size
        func block(_ r: Int) -> Range<Int> { r * batches / ranks..<(r + 1) * batches / ranks }
        func images(_ r: Int) -> Int {
            let range = block(r)
            return min(range.upperBound * loader.batchSize, loader.split.count)
                - min(range.lowerBound * loader.batchSize, loader.split.count)
        }
        let mine = scores(model, loader: loader, batches: block(collective.rank))
        // per image: the label's rank (a small integer, exact as a float), then its loss
        let all = collective.allGather(mine.ranks + mine.losses, counts: (0..<ranks).map { 2 * images($0) })
        var correct1 = 0, correct5 = 0, lossSum = 0.0, count = 0
        for values in all {
            let n = values.count / 2
            for i in 0..<n {
                if values[i] < 1 { correct1 += 1 }
                if values[i] < 5 { correct5 += 1 }
                lossSum += Double(values[n + i])
            }
            count += n
        }
        let n = Double(max(count, 1))
        return Evaluation(
            top1: 100 * Double(correct1) / n, top5: 100 * Double(correct5) / n, loss: lossSum / n, count: count)
    }

    /// Each image's rank of its label and loss over the batches `range` of the split, in order.
    static func scores(
        _ model: Model, loader: BatchLoader, batches range: Range<Int>
    ) -> (ranks: [Float], losses: [Float]) {
        var ranks: [Float] = [], losses: [Float] = []
        guard !range.isEmpty else { return (ranks, losses) }
        var batch = Batch()
        let batches = loader.epoch(0, from: range.lowerBound)
        for _ in range {
            _ = batches.next(into: &batch)
            let logits = batch.images.withUnsafeBufferPointer {
                Array(model.forward($0.baseAddress!, batch: batch.count, training: false))
            }
            let labels = batch.labels.map(Int.init)
            let output = SoftmaxCrossEntropy.loss(logits: logits, labels: labels, classes: model.classes)
            for i in 0..<batch.count {
                let rank = Evaluation.rank(of: labels[i], in: logits[(i * model.classes)..<((i + 1) * model.classes)])
                ranks.append(Float(rank))
                losses.append(output.perSample[i])
            }
        }
        return (ranks, losses)
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
