import Tensor

/// Data parallelism without synchronised batch norm, as MXNet/GluonCV train on k devices:
/// the batch is split into k equal parts, each goes through the model on its own (its
/// batch norm normalises with the part's statistics), and the gradients of the parts'
/// summed losses, divided by the whole batch, are added before one update. Memory then
/// scales with the part, not the batch: the ResNeXt29 16x64d teacher at batch 256 needs
/// about 155 MB per image in one pass, 5 GB per part of 32.
///
/// The parts' gradients are added in `PartTree`'s order, fixed by k alone, so the same
/// step computed by several processes (`DataParallel`) gives the same bits.
///
/// Running statistics: each device updates its own copy from its part; Gluon averages the
/// copies when it saves the parameters. Each part's update therefore starts from the same
/// statistics, and the model keeps their mean (added in the tree's order, divided by k).
/// One device is the plain step, bit for bit.
extension Model {
    /// Zeroes the gradients, then accumulates those of the batch x (N, 3, H, W) split into
    /// `devices` parts. `loss(range, logits)` gives the batch-mean loss over the images in
    /// `range` and its logit gradient; the step weights each part by its share of the
    /// batch. Returns the logits of every image, the batch-mean loss and, when asked for,
    /// the input gradient.
    public func accumulateGradients(
        _ x: UnsafePointer<Float>, batch: Int, height: Int = 32, width: Int = 32,
        devices: Int = 1, inputGradient: Bool = false,
        loss: (Range<Int>, [Float]) -> LossOutput
    ) -> (logits: [Float], loss: Float, inputGradient: [Float]?) {
        check(
            devices >= 1 && batch % devices == 0,
            "devices: a batch of \(batch) does not split into \(devices) equal parts")
        zeroGradients()
        if devices == 1 {
            let logits = Array(forward(x, batch: batch, height: height, width: width, training: true))
            let output = loss(0..<batch, logits)
            guard output.isFinite else { return (logits, output.loss, nil) }
            return (logits, output.loss, backward(output.dLogits, inputGradient: inputGradient))
        }
        let tree = PartTree(parts: devices)
        let parts = computeParts(
            x, batch: batch, height: height, width: width, tree: tree, block: tree.root,
            inputGradient: inputGradient, loss: loss)
        guard let total = parts.total(devices: devices), let sum = parts.roots.first?.sum else {
            return (parts.logits, parts.firstNonFinite ?? .nan, nil)
        }
        sum.withUnsafeBufferPointer { storeSum($0, at: 0, devices: devices) }
        return (parts.logits, total, inputGradient ? parts.inputGradient : nil)
    }

    /// The parts of `block`, each forward, its loss and backward from the same running
    /// statistics, summed into the largest subtrees inside the block (`PartTree.roots`).
    /// Each root's sum is the parameter gradients followed by the running statistics.
    func computeParts(
        _ x: UnsafePointer<Float>, batch: Int, height: Int, width: Int, tree: PartTree, block: Range<Int>,
        inputGradient: Bool, loss: (Range<Int>, [Float]) -> LossOutput, stream: GradientStream? = nil
    ) -> PartResults {
        let part = batch / tree.parts, image = 3 * height * width, k = Float(tree.parts)
        let before = Array(UnsafeBufferPointer(start: buffers.pointer, count: buffers.count))
        var results = PartResults()
        // part p's forward, loss and backward, from the same statistics; `finished` as in
        // `backward` (all at once when the loss is not finite: the gradients stay zero)
        func pass(_ p: Int, finished: ((Int) -> Void)? = nil) {
            zeroGradients()
            before.withUnsafeBufferPointer { buffers.pointer.update(from: $0.baseAddress!, count: buffers.count) }
            let range = p * part..<(p + 1) * part
            let logits = Array(
                forward(x + range.lowerBound * image, batch: part, height: height, width: width, training: true))
            let output = loss(range, logits)
            results.logits += logits
            results.losses.append(output.loss)
            guard output.isFinite else {
                finished?(0)
                return
            }
            if let dx = backward(output.dLogits.map { $0 / k }, inputGradient: inputGradient, finished: finished) {
                results.inputGradient += dx
            }
        }
        func leaf(_ p: Int) -> [Float] {
            pass(p)
            var sum = [Float]()
            sum.reserveCapacity(gradients.count + buffers.count)
            sum.append(contentsOf: UnsafeBufferPointer(start: gradients.pointer, count: gradients.count))
            sum.append(contentsOf: UnsafeBufferPointer(start: buffers.pointer, count: buffers.count))
            return sum
        }
        var roots = tree.roots(inside: block)
        let streamed = stream == nil ? nil : roots.removeLast()
        for node in roots {
            results.roots.append((node, PartTree.sum(of: node, leaf: leaf, add: PartResults.add)))
        }
        if let stream, let streamed {
            // the last subtree by its right spine, whose last part's buckets go out as they finish
            let (lefts, last) = PartTree.spine(of: streamed)
            stream.start(
                lefts: lefts.map { PartTree.sum(of: $0, leaf: leaf, add: PartResults.add) }, roots: results.roots)
            pass(last) { stream.finished(from: $0, self) }
        }
        return results
    }

    /// Writes `sum`, the slice at `offset` of (parameter gradients, running statistics)
    /// summed over the parts: the gradients as they are, the statistics divided by k.
    func storeSum(_ sum: UnsafeBufferPointer<Float>, at offset: Int, devices: Int) {
        let g = gradients.count, k = Float(devices)
        let split = min(max(g - offset, 0), sum.count)  // the slice's gradients, then its statistics
        if split > 0 { (gradients.pointer + offset).update(from: sum.baseAddress!, count: split) }
        for i in split..<sum.count { buffers.pointer[offset + i - g] = sum[i] / k }
    }
}

/// What one process computed of a data-parallel step: its parts' logits and losses, in
/// part order, and the sums of its subtrees.
struct PartResults {
    var logits: [Float] = []
    var losses: [Float] = []
    var inputGradient: [Float] = []
    var roots: [(node: Range<Int>, sum: [Float])] = []

    var firstNonFinite: Float? { losses.first { !$0.isFinite } }

    /// The batch-mean loss, the parts' losses divided by k and added in part order; nil
    /// when a part's loss is not finite.
    func total(devices: Int) -> Float? {
        Self.total(losses, devices: devices)
    }

    static func total(_ losses: [Float], devices: Int) -> Float? {
        guard losses.allSatisfy(\.isFinite) else { return nil }
        let k = Float(devices)
        return losses.reduce(Float(0)) { $0 + $1 / k }
    }

    static func add(_ a: inout [Float], _ b: [Float]) {
        check(a.count == b.count, "PartTree sum: \(a.count) against \(b.count) values")
        for i in a.indices { a[i] += b[i] }
    }
}
