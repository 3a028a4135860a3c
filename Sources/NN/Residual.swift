import Tensor

/// The residual join of a block, out = ReLU(body + shortcut). Its forward is fused into the
/// last unit's batch norm (`BatchNorm.forwardTrain(join:)`), which writes the block output
/// in the pass that normalises the body; its backward is here.
public enum Residual {
    /// The gradient reaching the shortcut (and the body): dOut, 0 where the output is not
    /// positive, written to `gradient`.
    public static func backwardReLU(_ gradient: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>,
                                    output: UnsafePointer<Float>, count: Int, _ context: ComputeContext) {
        // pieces of 32 KiB: 64 for ResNet56's smallest activations at batch 128
        let pieces = (count + 8191) / 8192
        context.forEach(pieces, kind: .residual) { piece, _ in
            for i in Parallel.range(piece, of: pieces, count: count) { gradient[i] = output[i] > 0 ? dOut[i] : 0 }
        }
    }
}
