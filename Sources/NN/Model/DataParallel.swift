import Tensor

/// One data-parallel step over P cooperating processes (`Collective`), with the bits of
/// the one-process step (`Model.accumulateGradients` with the same `devices`) for any P
/// from 1 to K, whether or not P divides K:
/// 1. each rank computes its block of parts (`PartTree.block`) into its subtrees' sums;
/// 2. the parts' losses and logits go to every rank (the batch loss is added in part order);
/// 3. reduce-scatter: the flat vector (parameter gradients, running statistics) is cut
///    into P slices; each rank sends every subtree's slice s to rank s, bucket by bucket
///    while its backward pass runs (`GradientStream`), and rank s adds them by the tree
///    and applies the update to its slice of the parameters (`update` gets
///    the flat range of gradients to apply, `parameterSlice`: the optimizer on this rank
///    keeps the state of that slice alone, and a save gathers the slices, `gather`);
/// 4. all-gather: each rank sends its updated slice of (parameters, statistics) to all.
public final class DataParallel {
    public let devices: Int
    public let collective: Collective
    let tree: PartTree

    public init(devices: Int, collective: Collective) {
        check(
            collective.size >= 1 && collective.size <= devices,
            "data parallel: \(collective.size) ranks for \(devices) parts (at most one rank per part)")
        self.devices = devices
        self.collective = collective
        tree = PartTree(parts: devices)
    }

    var ranks: Int { collective.size }
    func block(_ rank: Int) -> Range<Int> { PartTree.block(rank: rank, ranks: ranks, parts: devices) }
    /// Rank s's slice of a flat vector of `count` values.
    func slice(_ s: Int, of count: Int) -> Range<Int> { s * count / ranks..<(s + 1) * count / ranks }

    /// The flat positions of `model`'s parameters rank `rank` (default: this one) updates
    /// and keeps the optimizer's state of: its slice of (gradients, statistics), without
    /// the statistics. Every parameter for one process.
    public func parameterSlice(of model: Model, rank: Int? = nil) -> Range<Int> {
        slice(rank ?? collective.rank, of: model.gradients.count + model.buffers.count)
            .clamped(to: 0..<model.gradients.count)
    }

    /// One view of an optimizer's state, whole, from every rank's slice of it
    /// (`parameterSlice`), on rank 0 (the one that saves); nil on the others, which only
    /// send. One view at a time, so rank 0 never holds a second copy of the whole state.
    /// One process: the state's own values.
    public func gather(_ view: Arena.View, of state: StateSlice, model: Model) -> [Float]? {
        guard ranks > 1 else { return state.values(of: view) }
        let whole = view.offset..<view.offset + view.count
        let parts = (0..<ranks).map { parameterSlice(of: model, rank: $0).clamped(to: whole) }
        check(state.range == parameterSlice(of: model), "data parallel: a state of \(state.range), not this rank's")
        let all = collective.gather(state.values(in: parts[collective.rank]), counts: parts.map(\.count), to: 0)
        // the slices are consecutive in rank order: their parts of the view tile it
        return collective.rank == 0 ? all.flatMap { $0 } : nil
    }

    /// The rows of a batch of `batch` images this rank computes; nil for one process.
    public func rows(batch: Int) -> Range<Int>? {
        guard ranks > 1 else { return nil }
        let part = batch / devices, parts = block(collective.rank)
        return parts.lowerBound * part..<parts.upperBound * part
    }

    /// One update of `model` by the batch x; returns every image's logits and the batch
    /// loss (not finite: nothing was updated).
    public func step(
        _ model: Model, _ x: UnsafePointer<Float>, batch: Int, height: Int = 32, width: Int = 32,
        update: (Range<Int>) -> Void, loss: (Range<Int>, [Float]) -> LossOutput
    ) -> (logits: [Float], loss: Float) {
        guard ranks > 1 else {
            let result = model.accumulateGradients(
                x, batch: batch, height: height, width: width, devices: devices, loss: loss)
            if result.loss.isFinite { update(0..<model.gradients.count) }
            return (result.logits, result.loss)
        }
        check(batch % devices == 0, "devices: a batch of \(batch) does not split into \(devices) equal parts")
        let stream = GradientStream(self, model: model)
        let mine = model.computeParts(
            x, batch: batch, height: height, width: width, tree: tree, block: block(collective.rank),
            inputGradient: false, loss: loss, stream: stream)
        let (logits, losses) = gatherOutputs(mine, perPart: batch / devices * model.classes)
        let sum = stream.complete()  // every message of the step, whatever the losses
        guard let total = PartResults.total(losses, devices: devices) else {
            return (logits, losses.first { !$0.isFinite } ?? .nan)
        }
        let owned = slice(collective.rank, of: model.gradients.count + model.buffers.count)
        sum.withUnsafeBufferPointer { model.storeSum($0, at: owned.lowerBound, devices: devices) }
        update(parameterSlice(of: model))
        allGather([model.parameters, model.buffers])
        return (logits, total)
    }

    /// Every rank's parts' logits and losses, in part order.
    func gatherOutputs(_ mine: PartResults, perPart: Int) -> (logits: [Float], losses: [Float]) {
        let counts = (0..<ranks).map { block($0).count * (1 + perPart) }
        let all = collective.allGather(mine.losses + mine.logits, counts: counts)
        var logits: [Float] = [], losses: [Float] = []
        for (r, values) in all.enumerated() {
            let n = block(r).count
            losses += values[0..<n]
            logits += values[n...]
        }
        return (logits, losses)
    }

    /// Each rank's slice of the concatenated arenas, from that rank to all: afterwards
    /// every rank holds the whole of them.
    public func allGather(_ arenas: [Arena]) {
        guard ranks > 1 else { return }
        let count = arenas.reduce(0) { $0 + $1.count }
        func owned(_ r: Int) -> Range<Int> { slice(r, of: count) }
        // `body(arena's pointer at the range's part in it, that part's offset in range, count)`
        func forEach(_ range: Range<Int>, _ body: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
            var start = 0
            for arena in arenas {
                let part = range.clamped(to: start..<start + arena.count)
                if !part.isEmpty {
                    body(arena.pointer + (part.lowerBound - start), part.lowerBound - range.lowerBound, part.count)
                }
                start += arena.count
            }
        }
        var mine = [Float](repeating: 0, count: owned(collective.rank).count)
        mine.withUnsafeMutableBufferPointer { buffer in
            forEach(owned(collective.rank)) { pointer, at, n in
                (buffer.baseAddress! + at).update(from: pointer, count: n)
            }
        }
        let all = collective.allGather(mine, counts: (0..<ranks).map { owned($0).count })
        for (r, values) in all.enumerated() where r != collective.rank {
            values.withUnsafeBufferPointer { buffer in
                forEach(owned(r)) { pointer, at, n in pointer.update(from: buffer.baseAddress! + at, count: n) }
            }
        }
    }
}
