import Tensor

/// Winograd's F(2x2, 3x3) for the 3x3, stride-1, pad-1 convolutions of a CIFAR ResNet
/// (Lavin & Gray 2016): forward and input gradient, 16 multiplies per 2x2 output tile and
/// input-output channel pair where the direct conv (`Conv3x3`) does 36. Per image and
/// group, block by block of whole tile rows (`WinogradTransforms.Blocks`, about one panel of
/// tiles), each input plane's 4x4 tiles (overlapping by 2) are transformed (V = Bᵀ d B,
/// `WinogradTransforms`), then for each of the 16 positions ξ the products
/// M[ξ] (outputs × tiles) = U[ξ] (outputs × inputs) · V[ξ] (inputs × tiles) run on
/// `PanelProduct`, and every output tile is Aᵀ M A: a block's V and M stay in L1 or L2
/// between the three. The weight gradient stays direct.
///
/// The transforms are additions and exact halvings in a fixed order, and each product
/// element is one FMA chain over the input channels in order, so the bits depend on the
/// shapes alone: not on the thread count, the image parts (`ImageParts`, as in
/// `Conv3x3`) or the ISA. They differ from the direct conv's (another order and other
/// roundings: ~1e-6 relative on ResNet shapes).
enum Winograd3x3 {
    /// Off for now: it is not faster here. On an AMD EPYC Zen 3 (AVX2, 2 threads), timed per layer
    /// (batch 32, alternated with the direct conv, best of 41) it is level with the direct conv on
    /// 16-channel 32x32 planes (0.84–1.01x), ahead on 32-channel 16x16 ones (0.96–1.11x) and behind
    /// on 64-channel 8x8 ones (0.84–0.95x); ResNet56 at batch 128 trains at 0.79–0.97x and
    /// evaluates at 0.69–0.95x the direct path's speed. Its products do 44 % of the direct
    /// conv's multiply-adds, but at 16–64 channels the transforms, which are loads and stores
    /// more than arithmetic, cost nearly what that saves. Turning it on changes float results:
    /// bump the train and evaluate kinds' versions and regenerate the smoke lock in the same commit.
    static let byDefault = false

    /// Whether `Conv2D` takes this path for the shapes it supports; tests turn it on and off
    /// (WinogradTests, WinogradFidelityTests against the direct conv).
    nonisolated(unsafe) static var enabled = byDefault

    /// The rule, fixed by the shape: 3x3, stride 1, pad 1, an even plane (whole 2x2 tiles),
    /// and groups of at least 16 input and output channels in fours. Fewer channels (the stem's
    /// 3 inputs) leave too few multiplies per transform to pay for it.
    static func supports(_ s: ConvShape) -> Bool {
        s.kernel == 3 && s.stride == 1 && s.pad == 1 && s.height % 2 == 0 && s.width % 2 == 0
            && s.groupIn % 4 == 0 && s.groupOut % 4 == 0 && s.groupIn >= 16 && s.groupOut >= 16
    }

    /// Multiply-adds of the forward (and of the input gradient): 16 per output tile and channel pair
    /// in the products; the transforms, additions only, count none.
    static func multiplyAdds(_ s: ConvShape) -> Int {
        16 * s.batch * (s.height / 2) * (s.width / 2) * s.outChannels * s.groupIn
    }

    /// out (N, O, H, W) = conv(x, w); out is overwritten. Chunks and `finished` as in
    /// `Conv2D.forward`.
    static func forward(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext,
        finished: ((_ image: Int, _ channels: Range<Int>) -> Void)? = nil
    ) {
        convolve(
            out, x, filters(w, s, flipped: false, context), inputs: s.groupIn, outputs: s.groupOut, s, add: false,
            context, finished: finished)
    }

    /// dx (+= with `accumulate`) = the output gradient convolved with the flipped, transposed
    /// weights, the same machinery with inputs and outputs swapped.
    static func inputGradient(
        _ dx: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
        _ s: ConvShape, _ context: ComputeContext, accumulate: Bool
    ) {
        convolve(
            dx, dOut, filters(w, s, flipped: true, context), inputs: s.groupOut, outputs: s.groupIn, s,
            add: accumulate, context, finished: nil)
    }

    /// The transformed filters (`WinogradTransforms.filters`) in the context's scratch, in
    /// pieces of their rows: each filter's transform is its own, the pieces change no bit.
    private static func filters(
        _ w: UnsafePointer<Float>, _ s: ConvShape, flipped: Bool, _ context: ComputeContext
    ) -> UnsafePointer<Float> {
        context.reserve(.winogradFilters, count: 16 * s.groups * s.groupIn * s.groupOut, workers: 1)
        let u = context.pointer(.winogradFilters, 0)
        let rows = s.groups * (flipped ? s.groupIn : s.groupOut), pieces = min(rows, 64)
        context.forEach(pieces, kind: .directConvolution) { piece, _ in
            WinogradTransforms.filters(u, w, s, flipped: flipped, rows: Parallel.range(piece, of: pieces, count: rows))
        }
        return UnsafePointer(u)
    }

    /// target (N, outputs·groups, H, W) = (or +=) the conv of source (N, inputs·groups, H, W)
    /// whose transformed filters are u. Every image a chunk, or a few (`ImageParts` over the
    /// output channels; each part transforms all the input planes its groups read).
    private static func convolve(
        _ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ u: UnsafePointer<Float>,
        inputs: Int, outputs: Int, _ s: ConvShape, add: Bool, _ context: ComputeContext,
        finished: ((_ image: Int, _ channels: Range<Int>) -> Void)?
    ) {
        let tiles = WinogradTransforms.Tiles(height: s.height, width: s.width), pixels = s.height * s.width
        let width = PanelProduct.width, blocks = WinogradTransforms.Blocks(tiles, width: width)
        let parts = ImageParts(
            rowsPerGroup: outputs, groups: s.groups, unit: 6, batch: s.batch, threads: context.threads)
        let (sourceChannels, targetChannels) = (inputs * s.groups, outputs * s.groups)
        context.reserve(.winogradInput, count: 16 * blocks.panels * inputs * width)
        context.reserve(.winogradProducts, count: 16 * outputs * blocks.columns + 16)
        context.reserve(.winogradPlane, count: inputs * tiles.paddedCount)
        context.forEach(parts.chunks(batch: s.batch), kind: .directConvolution, splittable: parts.splittable) {
            chunk, worker in
            let (n, part) = chunk.quotientAndRemainder(dividingBy: parts.count)
            let rows = parts.rows(part)
            let v = context.pointer(.winogradInput, worker), m = context.pointer(.winogradProducts, worker)
            let padded = context.pointer(.winogradPlane, worker)
            let positionStride = rows.count * blocks.columns
            let transformed = WinogradTransforms.PanelTarget(
                base: v, positionStride: blocks.panels * inputs * width, panelStride: inputs * width, width: width)
            for g in parts.groups(part) {
                let planes = source + (n * sourceChannels + g * inputs) * pixels
                for c in 0..<inputs {
                    WinogradTransforms.split(padded + c * tiles.paddedCount, planes + c * pixels, tiles)
                }
                let first = target + (n * targetChannels + g * outputs + rows.lowerBound) * pixels
                for b in 0..<blocks.count {
                    let tileRows = blocks.rows(b), count = tileRows.count * tiles.perRow
                    for c in 0..<inputs {
                        WinogradTransforms.input(
                            transformed.channel(c), padded + c * tiles.paddedCount, tiles, rows: tileRows)
                    }
                    for q in 0..<(count + width - 1) / width {
                        for xi in 0..<16 {
                            PanelProduct.multiply(
                                m + xi * positionStride + q * width, ldc: blocks.columns,
                                .init(
                                    pointer: u + ((g * 16 + xi) * outputs + rows.lowerBound) * inputs,
                                    rowStride: inputs, step: 1),
                                depth: inputs, v + (xi * blocks.panels + q) * inputs * width,
                                rows: rows.count, columns: min(width, count - q * width), add: false)
                        }
                    }
                    WinogradTransforms.output(
                        first, pixels: pixels, outputs: rows.count, m, planeStride: blocks.columns,
                        positionStride: positionStride, tiles, rows: tileRows, add: add)
                }
            }
            finished?(n, parts.channels(part))
        }
    }
}
