import Tensor

/// 1x1, stride-1 convolution without groups (ResNeXt's bottleneck ends, ~45 % of its
/// step), forward and backward, on `PanelProduct` instead of OpenBLAS: per image,
/// out (O × P) = W (O × C) · x (C × P), dx (C × P) = Wᵀ · dOut, and dW (O × C) += dOut · xᵀ,
/// P the pixels of a plane, taken a panel (64 or 16 of them) at a time.
///
/// Each element of a product is one FMA chain from zero in a fixed order, and the weight
/// gradient adds the images' products to dW one image after another. So the weight
/// gradient splits over tiles of dW (each chunk owning its rows and columns: no copy of
/// the weights per chunk, as many chunks as there are threads, up to 64 and beyond),
/// and no bit depends on the thread count, the chunks or the ISA.
enum Pointwise {
    static func supports(_ s: ConvShape) -> Bool { s.isPointwise && s.groups == 1 }

    /// out (N, O, H, W) = conv(x, w); out is overwritten. Every image a chunk; `finished(n)`
    /// as in `Conv2D.forward`.
    static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
                        _ s: ConvShape, _ context: ComputeContext, finished: ((_ image: Int) -> Void)? = nil) {
        let plane = s.height * s.width, width = PanelProduct.width
        context.reserve(.panel, count: s.inChannels * width)
        context.forEach(s.batch, kind: .pointwiseConvolution) { n, worker in
            product(out + n * s.outChannels * plane, rows: s.outChannels,
                    .init(pointer: w, rowStride: s.inChannels, step: 1), b: x + n * s.inChannels * plane, depth: s.inChannels, plane: plane,
                    panel: context.pointer(.panel, worker), add: false)
            finished?(n)
        }
    }

    /// dw += ∂/∂w and, when dx is given, dx += ∂/∂x of sum(out ⊙ dOut) (dx = … with `overwrite`).
    static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
                         _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ s: ConvShape,
                         _ context: ComputeContext, overwrite: Bool) {
        let plane = s.height * s.width, width = PanelProduct.width
        if let dx {
            let transposed = transposeWeights(w, s, context)
            context.reserve(.panel, count: s.outChannels * width)
            context.forEach(s.batch, kind: .pointwiseConvolution) { n, worker in
                product(dx + n * s.inChannels * plane, rows: s.inChannels,
                        .init(pointer: transposed, rowStride: s.outChannels, step: 1), b: dOut + n * s.outChannels * plane, depth: s.outChannels, plane: plane,
                        panel: context.pointer(.panel, worker), add: !overwrite)
            }
        }
        weightGradient(dw, dOut, x, s, context)
    }

    /// Wᵀ (C × O): read in place, the input gradient's rows of A would step a whole row of W
    /// at a time, every step a cache line in the same few sets of L1.
    static func transposeWeights(_ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext) -> UnsafePointer<Float> {
        context.reserve(.transposedWeights, count: s.weightCount, workers: 1)
        let transposed = context.pointer(.transposedWeights, 0), pieces = min(s.inChannels, 256)
        context.forEach(pieces, kind: .pointwiseConvolution) { piece, _ in
            for c in Parallel.range(piece, of: pieces, count: s.inChannels) {
                for o in 0..<s.outChannels { transposed[c * s.outChannels + o] = w[o * s.inChannels + c] }
            }
        }
        return UnsafePointer(transposed)
    }

    /// c (rows × plane, image layout) ← (or +=) A · b (depth × plane), panel by panel; b is
    /// copied into the worker's panel unless its plane is exactly one panel wide.
    static func product(_ c: UnsafeMutablePointer<Float>, rows: Int, _ a: PanelProduct.Operand,
                        b: UnsafePointer<Float>, depth: Int, plane: Int,
                        panel: UnsafeMutablePointer<Float>, add: Bool) {
        let width = PanelProduct.width
        for first in stride(from: 0, to: plane, by: width) {
            let columns = min(width, plane - first)
            var packed = b
            if plane != width {
                PanelProduct.pack(panel, b + first, rows: depth, stride: plane, columns: columns)
                packed = UnsafePointer(panel)
            }
            PanelProduct.multiply(c + first, ldc: plane, a, depth: depth, packed, rows: rows, columns: columns, add: add)
        }
    }

    /// dw (O × C) += Σ over images of dOut[n] (O × P) · x[n]ᵀ (P × C), in groups of images
    /// (`imagesPerChain`): each element of dw gets one FMA chain per group, over its images'
    /// pixels in order, added to it group after group. Per group, first every (image, 64 input
    /// channels) is transposed into a panel (P × 64), in slices of pixels when there are
    /// fewer than 64 panels, then every chunk adds the group's
    /// products to its tiles of dw: 24 (or 6) output channels × one panel's input channels,
    /// the tiles of a panel side by side so that it is read from cache.
    static func weightGradient(_ dw: UnsafeMutablePointer<Float>, _ dOut: UnsafePointer<Float>,
                               _ x: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext) {
        let plane = s.height * s.width, width = PanelProduct.width, panelSize = plane * width
        let inputPanels = (s.inChannels + width - 1) / width
        let groupSize = imagesPerChain(s)
        // tiles of 24 rows (4 of 6), of 6 where that leaves fewer than 64 tiles
        let tileRows = (s.outChannels + 23) / 24 * inputPanels >= 64 ? 24 : 6
        let rowTiles = (s.outChannels + tileRows - 1) / tileRows, tiles = rowTiles * inputPanels
        let chunks = min(tiles, 4 * context.threads), splittable = min(tiles, 4 * 64)
        context.reserve(.transposedInput, count: groupSize * inputPanels * panelSize, workers: 1)
        let transposed = context.pointer(.transposedInput, 0)
        for first in stride(from: 0, to: s.batch, by: groupSize) {
            let count = min(groupSize, s.batch - first)
            let panels = count * inputPanels, slices = max(1, min(plane / 16, 64 / panels))
            context.forEach(panels * slices, kind: .pointwiseConvolutionBackward) { job, _ in
                let (panel, slice) = job.quotientAndRemainder(dividingBy: slices)
                let (i, p) = panel.quotientAndRemainder(dividingBy: inputPanels)
                PanelProduct.packTransposed(transposed + panel * panelSize,
                                            x + ((first + i) * s.inChannels + p * width) * plane,
                                            rows: Parallel.range(slice, of: slices, count: plane), stride: plane,
                                            columns: min(width, s.inChannels - p * width))
            }
            let gradient = dOut + first * s.outChannels * plane
            context.forEach(chunks, kind: .pointwiseConvolutionBackward, splittable: splittable) { chunk, _ in
                for tile in Parallel.range(chunk, of: chunks, count: tiles) {
                    let (p, r) = tile.quotientAndRemainder(dividingBy: rowTiles)
                    let row = tileRows * r, column = p * width
                    PanelProduct.multiply(dw + row * s.inChannels + column, ldc: s.inChannels,
                                          .init(pointer: gradient + row * plane, rowStride: plane, step: 1,
                                                segment: s.outChannels * plane),
                                          depth: plane, transposed + p * panelSize, panelSegment: inputPanels * panelSize,
                                          segments: count, rows: min(tileRows, s.outChannels - row),
                                          columns: min(width, s.inChannels - column), add: true)
                }
            }
        }
    }

    /// Images summed in one chain of the weight gradient: about 1,024 pixels, so that dw
    /// (up to 4M floats) is read and written once per 1,024 products, not once per image.
    /// Fixed by the plane size: it decides the bits.
    static func imagesPerChain(_ s: ConvShape) -> Int {
        max(1, min(s.batch, 1024 / (s.height * s.width)))
    }
}
