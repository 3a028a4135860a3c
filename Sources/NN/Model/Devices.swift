import Tensor

/// Data parallelism without synchronised batch norm, as MXNet/GluonCV train on k devices:
/// the batch is split into k equal parts, each goes through the model on its own (its
/// batch norm normalises with the part's statistics), and the gradients of the parts'
/// summed losses, divided by the whole batch, are added before one update. Memory then
/// scales with the part, not the batch: the ResNeXt29 16x64d teacher at batch 256 needs
/// about 155 MB per image in one pass, 5 GB per part of 32.
///
/// Running statistics: each device updates its own copy from its part; Gluon averages the
/// copies when it saves the parameters. Each part's update therefore starts from the same
/// statistics, and the model keeps their mean (added in part order, divided by k). One
/// device is the plain step, bit for bit.
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
        let part = batch / devices, image = 3 * height * width, k = Float(devices)
        let before = FloatBuffer(count: buffers.count), statistics = FloatBuffer(count: buffers.count)
        before.pointer.update(from: buffers.pointer, count: buffers.count)
        statistics.zero()
        var logits: [Float] = [], total: Float = 0, dx: [Float] = []
        for p in 0..<devices {
            buffers.pointer.update(from: before.pointer, count: buffers.count)
            let range = p * part..<(p + 1) * part
            let partLogits = Array(
                forward(x + range.lowerBound * image, batch: part, height: height, width: width, training: true))
            let output = loss(range, partLogits)
            logits += partLogits
            total += output.loss / k
            guard output.isFinite else { return (logits, output.loss, nil) }
            let partGradient = backward(output.dLogits.map { $0 / k }, inputGradient: inputGradient)
            if let partGradient { dx += partGradient }
            for i in 0..<buffers.count { statistics.pointer[i] += buffers.pointer[i] }
        }
        for i in 0..<buffers.count { buffers.pointer[i] = statistics.pointer[i] / k }
        return (logits, total, inputGradient ? dx : nil)
    }
}
