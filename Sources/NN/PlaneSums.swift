import Tensor

/// Batch norm's work split into channel × image blocks, at least 64 chunks where the
/// batch allows (16 channels at batch 128: 4 blocks of 32 images per channel), with the
/// per-plane sums kept apart so that each channel merges them in image order: the bits
/// are those of one worker per channel, for any block and thread count. (Public only as
/// the type of `BatchNorm.forwardTrain`'s `planeSums`, which callers outside NN leave out.)
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

    /// Image blocks per channel: enough for 64 chunks, fixed by the shape.
    static func blocks(batch: Int, channels: Int) -> Int {
        max(1, min(batch, (64 + channels - 1) / channels))
    }

    /// `body(c, n)` for every plane, chunked by channel and image block.
    static func forEachBlock(batch: Int, channels: Int, _ context: ComputeContext, _ body: (_ c: Int, _ n: Int) -> Void) {
        let blocks = Self.blocks(batch: batch, channels: channels)
        context.forEach(channels * blocks, kind: .batchNorm) { chunk, _ in
            let c = chunk / blocks
            for n in Parallel.range(chunk % blocks, of: blocks, count: batch) { body(c, n) }
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
