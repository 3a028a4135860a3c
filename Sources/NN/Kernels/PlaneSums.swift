import Tensor

/// Batch norm's work split into image × channel blocks, at least 64 chunks where the
/// shape allows (batch 128: 64 blocks of 2 images, all channels; batch 2 with 16 channels:
/// 2 × 16 blocks of one plane), with the per-plane sums kept apart so that each channel
/// merges them in image order: the bits are those of one worker per channel, for any block
/// and thread count. A block walks its planes in memory order, image by image, channel by
/// channel: long runs the prefetchers follow (measured: batch norm's passes ~20 % faster on
/// ResNet56 than channel by channel, whose planes lie an image apart). (Public only as the
/// type of `BatchNorm.forwardTrain`'s `planeSums`, which callers outside NN leave out.)
public struct PlaneSums {
    let batch, channels: Int
    private let sums, coefficientPairs: UnsafeMutablePointer<Float>
    private let context: ComputeContext

    init(batch: Int, channels: Int, _ context: ComputeContext) {
        (self.batch, self.channels, self.context) = (batch, channels, context)
        context.reserve(.planeSums, count: 2 * channels * batch + 2 * channels, workers: 1)
        sums = context.pointer(.planeSums, 0)
        coefficientPairs = sums + 2 * channels * batch
    }

    /// Image blocks, and channel blocks in each: enough for 64 chunks, fixed by the shape.
    static func blocks(batch: Int, channels: Int) -> (images: Int, channels: Int) {
        let images = max(1, min(batch, 64))
        return (images, max(1, min(channels, (64 + images - 1) / images)))
    }

    /// `body(c, n)` for every plane, chunked by image and channel block.
    static func forEachBlock(batch: Int, channels: Int, _ context: ComputeContext, _ body: (_ c: Int, _ n: Int) -> Void)
    {
        let blocks = Self.blocks(batch: batch, channels: channels)
        context.forEach(blocks.images * blocks.channels, kind: .batchNorm) { chunk, _ in
            let (imageBlock, channelBlock) = chunk.quotientAndRemainder(dividingBy: blocks.channels)
            let planes = Parallel.range(channelBlock, of: blocks.channels, count: channels)
            for n in Parallel.range(imageBlock, of: blocks.images, count: batch) {
                for c in planes { body(c, n) }
            }
        }
    }

    func forEachBlock(_ body: (_ c: Int, _ n: Int) -> Void) {
        Self.forEachBlock(batch: batch, channels: channels, context, body)
    }

    func set(_ c: Int, _ n: Int, _ pair: (Float, Float)) {
        (sums + 2 * (c * batch + n)).pointee = pair.0
        (sums + 2 * (c * batch + n) + 1).pointee = pair.1
    }

    func get(_ c: Int, _ n: Int) -> (Float, Float) { (sums[2 * (c * batch + n)], sums[2 * (c * batch + n) + 1]) }

    func setCoefficients(_ c: Int, _ pair: (Float, Float)) {
        coefficientPairs[2 * c] = pair.0
        coefficientPairs[2 * c + 1] = pair.1
    }

    func coefficients(_ c: Int) -> (Float, Float) { (coefficientPairs[2 * c], coefficientPairs[2 * c + 1]) }
}
