import Tensor

/// 2-D convolution, forward and backward. 3x3 stride-1 convolutions whose groups have
/// channels in fours go to the direct kernel of `Conv3x3` (`Conv3x3.supports`: the stem's
/// input gradient, for one, stays here), or, where `Winograd3x3` is on (off by default: not
/// yet faster) and supports the shape, to Winograd's F(2x2, 3x3) for the forward and the input
/// gradient, the weight gradient staying direct; the others are products of our own
/// (`PanelProduct`) with the patch matrix (Darknet's im2col: one row per input channel and
/// tap, one column per output pixel), which a 1x1 stride-1 convolution reads straight from
/// its input. Per image and group: out = W · col, dcol = Wᵀ · dOut folded back into dx,
/// and dW += dOut · colᵀ.
///
/// Each element of a product is one FMA chain in a fixed order, and the weight gradient
/// adds its chains to dW group of images after group of images (`imagesPerChain`). So the
/// weight gradient splits over tiles of dW (each chunk owning its rows and columns: no copy
/// of the weights per chunk, as many chunks as threads, 64 and more), and no bit depends
/// on the thread count, the chunks or the ISA.
public enum Conv2D {
    /// Image ranges of `Conv3x3`'s weight-gradient reduction.
    public static func reductionChunks(batch: Int) -> Int { min(batch, 8) }

    /// The multiply-adds the kernels execute for `s`: its forward, input gradient and weight
    /// gradient. The direct and patch-matrix kernels do the dense count in each; a kernel that
    /// does fewer multiplies says so here (`repro bench`'s executed GFLOP/s and share of peak):
    /// Winograd's forward and input gradient those of its products, 16/36 of the dense count
    /// (its transforms are additions, counted as none), its weight gradient (direct) dense.
    public static func multiplyAdds(_ s: ConvShape) -> (forward: Int, inputGradient: Int, weightGradient: Int) {
        guard winograd(s) else { return (s.macs, s.macs, s.macs) }
        return (Winograd3x3.multiplyAdds(s), Winograd3x3.multiplyAdds(s), s.macs)
    }

    /// Whether the forward and the input gradient of `s` take `Winograd3x3`.
    static func winograd(_ s: ConvShape) -> Bool { Winograd3x3.enabled && Winograd3x3.supports(s) }

    /// out (N, O, OH, OW) = conv(x (N, C, H, W), w (O, C/groups, K, K)); out is overwritten.
    /// Every image a chunk, or a few (`ImageParts`, for many threads on a small batch).
    /// `finished(n, channels)` runs in the worker that wrote those output channels of image
    /// n, right after, while they are still in the core's cache (batch norm takes its plane
    /// sums there).
    public static func forward(
        _ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext,
        finished: ((_ image: Int, _ channels: Range<Int>) -> Void)? = nil
    ) {
        if winograd(s) {
            Winograd3x3.forward(out, x, w, s, context, finished: finished)
            return
        }
        if Conv3x3.supports(s, inputGradient: false) {
            Conv3x3.forward(out, x, w, s, context, finished: finished)
            return
        }
        let plane = s.outHeight * s.outWidth
        let parts = ImageParts(
            rowsPerGroup: s.groupOut, groups: s.groups, unit: 6, batch: s.batch, threads: context.threads)
        context.reserve(.patches, count: s.isPointwise ? 0 : s.patch * plane)
        context.reserve(.panel, count: s.patch * PanelProduct.width)
        context.forEach(parts.chunks(batch: s.batch), kind: .panelConvolution, splittable: parts.splittable) {
            chunk, worker in
            let (n, part) = chunk.quotientAndRemainder(dividingBy: parts.count)
            let rows = parts.rows(part)
            for g in parts.groups(part) {
                let first = g * s.groupOut + rows.lowerBound
                product(
                    out + (n * s.outChannels + first) * plane, rows: rows.count,
                    .init(pointer: w + first * s.patch, rowStride: s.patch, step: 1),
                    b: patches(x, image: n, group: g, s, context.pointer(.patches, worker)), depth: s.patch,
                    plane: plane, panel: context.pointer(.panel, worker), add: false)
            }
            finished?(n, parts.channels(part))
        }
    }

    /// dw += ∂/∂w and, when dx is given, dx = ∂/∂x of sum(out ⊙ dOut) (dx += … with
    /// `accumulate`): the gradient rule of NN.swift.
    public static func backward(
        dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
        dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext, accumulate: Bool = false
    ) {
        if winograd(s) {
            if let dx { Winograd3x3.inputGradient(dx, dOut, w, s, context, accumulate: accumulate) }
            Conv3x3.backward(dx: nil, dw: dw, dOut: dOut, x, w, s, context, accumulate: accumulate)
            return
        }
        if Conv3x3.supports(s, inputGradient: dx != nil) {
            Conv3x3.backward(dx: dx, dw: dw, dOut: dOut, x, w, s, context, accumulate: accumulate)
            return
        }
        if let dx { inputGradient(dx, dOut, w, s, context, accumulate: accumulate) }
        weightGradient(dw, dOut, x, s, context)
    }

    /// dx (+)= Wᵀ · dOut (+= with `accumulate`) per image and group: straight into dx for a 1x1 stride-1 conv, else
    /// as the patch matrix's gradient, folded back (`Im2Col.scatter`). Every image a chunk,
    /// or a few (`ImageParts` over the input channels: whole channels, whose taps fold back
    /// into their own planes only).
    static func inputGradient(
        _ dx: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
        _ s: ConvShape, _ context: ComputeContext, accumulate: Bool
    ) {
        let plane = s.outHeight * s.outWidth, inPlane = s.height * s.width, taps = s.kernel * s.kernel
        if !accumulate && !s.isPointwise { dx.update(repeating: 0, count: s.inputCount) }
        let transposed = transposeWeights(w, s, context)
        let parts = ImageParts(
            rowsPerGroup: s.groupIn, groups: s.groups, unit: s.isPointwise ? 6 : 1,
            batch: s.batch, threads: context.threads)
        context.reserve(.patchGradient, count: s.isPointwise ? 0 : s.patch * plane)
        context.reserve(.panel, count: s.groupOut * PanelProduct.width)
        context.forEach(parts.chunks(batch: s.batch), kind: .panelConvolution, splittable: parts.splittable) {
            chunk, worker in
            let (n, part) = chunk.quotientAndRemainder(dividingBy: parts.count)
            let channels = parts.rows(part)
            for g in parts.groups(part) {
                let target = dx + (n * s.inChannels + g * s.groupIn + channels.lowerBound) * inPlane
                let dcol = s.isPointwise ? target : context.pointer(.patchGradient, worker)
                let firstRow = channels.lowerBound * taps
                product(
                    dcol, rows: channels.count * taps,
                    .init(pointer: transposed + (g * s.patch + firstRow) * s.groupOut, rowStride: s.groupOut, step: 1),
                    b: dOut + (n * s.outChannels + g * s.groupOut) * plane, depth: s.groupOut, plane: plane,
                    panel: context.pointer(.panel, worker), add: s.isPointwise && accumulate)
                if !s.isPointwise { Im2Col.scatter(target, dcol, rowStride: plane, channels: channels.count, s) }
            }
        }
    }

    /// dw (O × patch per group) += Σ over images of dOut[n] (O/g × P) · col[n]ᵀ (P × patch),
    /// in groups of images (`imagesPerChain`): each element of dw gets one FMA chain per
    /// group of images, over their pixels in order, added to it group after group. Per group
    /// of images and conv group, first every image's patch matrix is transposed into panels
    /// (P × 64 patch rows), then every chunk adds the images' products to its tiles of dw: 24
    /// (or 6) output channels × one panel's patch rows, the tiles of a panel side by side
    /// so that it is read from cache.
    static func weightGradient(
        _ dw: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>,
        _ x: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext
    ) {
        let plane = s.outHeight * s.outWidth, width = PanelProduct.width, panelSize = plane * width
        let panels = (s.patch + width - 1) / width, chain = imagesPerChain(s)
        // tiles of 24 rows (4 of 6), of 6 where that leaves fewer than 64 tiles
        let tileRows = (s.groupOut + 23) / 24 * panels >= 64 ? 24 : 6
        let rowTiles = (s.groupOut + tileRows - 1) / tileRows, tiles = rowTiles * panels
        let chunks = min(tiles, 4 * context.threads), splittable = min(tiles, 4 * 64)
        context.reserve(.transposedInput, count: chain * panels * panelSize, workers: 1)
        let transposed = context.pointer(.transposedInput, 0)
        for first in stride(from: 0, to: s.batch, by: chain) {
            let count = min(chain, s.batch - first)
            for g in 0..<s.groups {
                transposePatches(transposed, x, images: first..<first + count, group: g, s, context)
                let gradient = dOut + (first * s.outChannels + g * s.groupOut) * plane
                let weights = dw + g * s.groupOut * s.patch
                context.forEach(chunks, kind: .panelConvolutionBackward, splittable: splittable) { chunk, _ in
                    for tile in Parallel.range(chunk, of: chunks, count: tiles) {
                        let (p, r) = tile.quotientAndRemainder(dividingBy: rowTiles)
                        let row = tileRows * r, column = p * width
                        PanelProduct.multiply(
                            weights + row * s.patch + column, ldc: s.patch,
                            .init(
                                pointer: gradient + row * plane, rowStride: plane, step: 1,
                                segment: s.outChannels * plane),
                            depth: plane, transposed + p * panelSize, panelSegment: panels * panelSize,
                            segments: count, rows: min(tileRows, s.groupOut - row),
                            columns: min(width, s.patch - column), add: true)
                    }
                }
            }
        }
    }

    /// transposed[i][p] (P × width) ← rows p·width… of image i's patch matrix of group g,
    /// transposed, for the images in `images`: the patch matrices are gathered first (a 1x1
    /// stride-1 conv's is its input), in blocks of channels, then transposed panel by panel,
    /// in slices of pixels: both in 64 chunks or more where the shapes allow.
    static func transposePatches(
        _ transposed: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, images: Range<Int>,
        group g: Int, _ s: ConvShape, _ context: ComputeContext
    ) {
        let plane = s.outHeight * s.outWidth, width = PanelProduct.width, panelSize = plane * width
        let panels = (s.patch + width - 1) / width, inPlane = s.height * s.width, taps = s.kernel * s.kernel
        func input(_ i: Int) -> UnsafePointer<Float> {
            x + ((images.lowerBound + i) * s.inChannels + g * s.groupIn) * inPlane
        }
        var col = input
        if !s.isPointwise {
            context.reserve(.patches, count: images.count * s.patch * plane, workers: 1)
            let gathered = context.pointer(.patches, 0), blocks = max(1, min(s.groupIn, 64 / images.count))
            context.forEach(images.count * blocks, kind: .panelConvolutionBackward) { job, _ in
                let (i, block) = job.quotientAndRemainder(dividingBy: blocks)
                let channels = Parallel.range(block, of: blocks, count: s.groupIn)
                Im2Col.gather(
                    gathered + (i * s.patch + channels.lowerBound * taps) * plane, rowStride: plane,
                    input(i) + channels.lowerBound * inPlane, channels: channels.count, s)
            }
            col = { UnsafePointer(gathered + $0 * s.patch * plane) }
        }
        let slices = max(1, min(plane / 16, 64 / (images.count * panels)))
        context.forEach(images.count * panels * slices, kind: .panelConvolutionBackward) { job, _ in
            let (panel, slice) = job.quotientAndRemainder(dividingBy: slices)
            let (i, p) = panel.quotientAndRemainder(dividingBy: panels)
            PanelProduct.packTransposed(
                transposed + panel * panelSize, col(i) + p * width * plane,
                rows: Parallel.range(slice, of: slices, count: plane), stride: plane,
                columns: min(width, s.patch - p * width))
        }
    }

    /// Image n's patch matrix of group g (patch × OH·OW): its input itself for a 1x1 stride-1
    /// conv, else gathered into `scratch`.
    static func patches(
        _ x: UnsafePointer<Float>, image n: Int, group g: Int, _ s: ConvShape,
        _ scratch: UnsafeMutablePointer<Float>
    ) -> UnsafePointer<Float> {
        let input = x + (n * s.inChannels + g * s.groupIn) * s.height * s.width
        if s.isPointwise { return input }
        Im2Col.gather(scratch, rowStride: s.outHeight * s.outWidth, input, channels: s.groupIn, s)
        return UnsafePointer(scratch)
    }

    /// c (rows × plane, image layout) ← (or +=) A · b (depth × plane), panel by panel; b is
    /// copied into the worker's panel unless its plane is exactly one panel wide.
    static func product(
        _ c: UnsafeMutablePointer<Float>, rows: Int, _ a: PanelProduct.Operand,
        b: UnsafePointer<Float>, depth: Int, plane: Int,
        panel: UnsafeMutablePointer<Float>, add: Bool
    ) {
        let width = PanelProduct.width
        for first in stride(from: 0, to: plane, by: width) {
            let columns = min(width, plane - first)
            var packed = b
            if plane != width {
                PanelProduct.pack(panel, b + first, rows: depth, stride: plane, columns: columns)
                packed = UnsafePointer(panel)
            }
            PanelProduct.multiply(
                c + first, ldc: plane, a, depth: depth, packed, rows: rows, columns: columns, add: add)
        }
    }

    /// Each group's weights transposed (patch × O/g): read in place, the input gradient's
    /// rows of A would step a whole row of W at a time, every step a cache line in the same
    /// few sets of L1.
    static func transposeWeights(
        _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext
    ) -> UnsafePointer<Float> {
        context.reserve(.transposedWeights, count: s.weightCount, workers: 1)
        let transposed = context.pointer(.transposedWeights, 0), rows = s.groups * s.patch, pieces = min(rows, 256)
        context.forEach(pieces, kind: .panelConvolution) { piece, _ in
            for row in Parallel.range(piece, of: pieces, count: rows) {
                let (g, k) = row.quotientAndRemainder(dividingBy: s.patch)
                let source = w + g * s.groupOut * s.patch + k, target = transposed + row * s.groupOut
                for o in 0..<s.groupOut { target[o] = source[o * s.patch] }
            }
        }
        return UnsafePointer(transposed)
    }

    /// Images summed in one chain of the weight gradient: about 1,024 output pixels, so
    /// that dw is read and written once per ~1,024 products, not once per image. Fixed by
    /// the output plane: it decides the bits.
    static func imagesPerChain(_ s: ConvShape) -> Int {
        max(1, min(s.batch, 1024 / (s.outHeight * s.outWidth)))
    }
}
