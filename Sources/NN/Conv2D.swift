import Tensor

/// 2-D convolution as im2col + GEMM (Darknet's recipe), forward and backward; 3x3
/// stride-1 convolutions whose groups have channels in fours go to the direct kernel of
/// `Conv3x3` (`Conv3x3.supports`: the stem's input gradient, for one, stays here).
///
/// Small feature maps make small GEMMs, so `imagesPerProduct` images share one product:
/// their patch matrices sit side by side (columns image-major). The grouping, like the
/// fixed image ranges of the weight-gradient reduction (`reductionChunks`), depends only
/// on the geometry, never on the thread count: each range sums its weight gradient into
/// its own slot, and the slots are added in range order.
public enum Conv2D {
    /// Image ranges of the weight-gradient reduction.
    public static func reductionChunks(batch: Int) -> Int { min(batch, 8) }

    /// Images per GEMM: about 256 output pixels per product. More columns make each GEMM
    /// more efficient, but the patch matrix (up to 576 rows here) must stay in the core's
    /// L2 cache between im2col and the GEMM, and one image per product (16x16 planes and
    /// larger) writes the output in place instead of copying it out of a scratch product.
    /// Measured on ResNet56/ResNet20: 256 beats 128, 512 and 2048 by 2–25 %.
    public static func imagesPerProduct(_ s: ConvShape) -> Int {
        max(1, min(s.batch, 256 / max(1, s.outHeight * s.outWidth)))
    }

    /// out (N, O, OH, OW) = conv(x (N, C, H, W), w (O, C/groups, K, K)); out is overwritten.
    /// `finished(n)` runs in the worker that wrote image n's output, right after, while it
    /// is still in the core's cache (batch norm takes its plane sums there).
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                               _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext,
                               finished: ((_ image: Int) -> Void)? = nil) {
        if Conv3x3.supports(s, inputGradient: false) {
            Conv3x3.forward(out, x, w, s, context, finished: finished)
            return
        }
        if Pointwise.supports(s) {
            Pointwise.forward(out, x, w, s, context, finished: finished)
            return
        }
        let outPlane = s.outHeight * s.outWidth, inPlane = s.height * s.width
        let images = imagesPerProduct(s), chunks = (s.batch + images - 1) / images
        let direct = images == 1 && s.isPointwise
        context.reserve(.patches, count: s.patch * outPlane * images)
        context.reserve(.gatheredOutput, count: s.groupOut * outPlane * images)
        context.forEach(chunks, kind: .gemmConvolution) { chunk, worker in
            let first = chunk * images, count = min(images, s.batch - first), columns = count * outPlane
            for g in 0..<s.groups {
                let weights = w + g * s.groupOut * s.patch
                if direct {
                    // a 1x1 stride-1 conv of one image reads its input as the patch matrix
                    BLAS.gemm(m: s.groupOut, n: outPlane, k: s.patch, a: weights, lda: s.patch,
                              b: x + (first * s.inChannels + g * s.groupIn) * inPlane, ldb: outPlane, beta: 0,
                              c: out + (first * s.outChannels + g * s.groupOut) * outPlane, ldc: outPlane)
                    continue
                }
                let col = context.pointer(.patches, worker)
                for i in 0..<count {
                    Im2Col.gather(col + i * outPlane, rowStride: columns,
                                  x + ((first + i) * s.inChannels + g * s.groupIn) * inPlane, channels: s.groupIn, s)
                }
                // product (O/g × images·OH·OW) = w[g] (O/g × patch) · col (patch × images·OH·OW)
                let product = count == 1 ? out + (first * s.outChannels + g * s.groupOut) * outPlane
                                         : context.pointer(.gatheredOutput, worker)
                BLAS.gemm(m: s.groupOut, n: columns, k: s.patch, a: weights, lda: s.patch,
                          b: col, ldb: columns, beta: 0, c: product, ldc: columns)
                if count > 1 {
                    for m in 0..<s.groupOut {
                        for i in 0..<count {
                            (out + ((first + i) * s.outChannels + g * s.groupOut + m) * outPlane)
                                .update(from: product + m * columns + i * outPlane, count: outPlane)
                        }
                    }
                }
            }
            if let finished { for n in first..<first + count { finished(n) } }
        }
    }

    /// dw += d(sum(out ⊙ dOut))/dw and, when dx is given, dx += d(…)/dx (dx = d(…)/dx with
    /// `overwrite`, which saves zeroing dx first).
    public static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                                dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                _ w: UnsafePointer<Float>, _ s: ConvShape, _ context: ComputeContext, overwrite: Bool = false) {
        if Conv3x3.supports(s, inputGradient: dx != nil) {
            Conv3x3.backward(dx: dx, dw: dw, dOut: dOut, x, w, s, context, overwrite: overwrite)
            return
        }
        if Pointwise.supports(s) {
            Pointwise.backward(dx: dx, dw: dw, dOut: dOut, x, w, s, context, overwrite: overwrite)
            return
        }
        if overwrite, let dx { dx.update(repeating: 0, count: s.inputCount) }
        let outPlane = s.outHeight * s.outWidth, inPlane = s.height * s.width
        let chunks = reductionChunks(batch: s.batch), images = imagesPerProduct(s)
        context.reserve(.patches, count: s.patch * outPlane * images)
        context.reserve(.gatheredOutput, count: s.groupOut * outPlane * images)
        if dx != nil { context.reserve(.patchGradient, count: s.patch * outPlane * images) }
        context.reserve(.weightPartials, count: s.weightCount, workers: max(chunks, context.threads))
        context.forEach(chunks, kind: .gemmConvolutionBackward) { chunk, worker in
            let partial = context.pointer(.weightPartials, chunk)
            let range = Parallel.range(chunk, of: chunks, count: s.batch)
            for first in stride(from: range.lowerBound, to: range.upperBound, by: images) {
                let count = min(images, range.upperBound - first), columns = count * outPlane
                for g in 0..<s.groups {
                    let weights = w + g * s.groupOut * s.patch
                    // the output gradient of these images as one (O/g × images·OH·OW) matrix
                    var gradient = dOut + (first * s.outChannels + g * s.groupOut) * outPlane
                    if count > 1 {
                        let gathered = context.pointer(.gatheredOutput, worker)
                        for m in 0..<s.groupOut {
                            for i in 0..<count {
                                (gathered + m * columns + i * outPlane)
                                    .update(from: dOut + ((first + i) * s.outChannels + g * s.groupOut + m) * outPlane,
                                            count: outPlane)
                            }
                        }
                        gradient = UnsafePointer(gathered)
                    }
                    // the patch matrix; a 1x1 stride-1 conv of one image reads its input as it (as in forward)
                    var col = x + (first * s.inChannels + g * s.groupIn) * inPlane
                    if count > 1 || !s.isPointwise {
                        let gathered = context.pointer(.patches, worker)
                        for i in 0..<count {
                            Im2Col.gather(gathered + i * outPlane, rowStride: columns,
                                          x + ((first + i) * s.inChannels + g * s.groupIn) * inPlane,
                                          channels: s.groupIn, s)
                        }
                        col = UnsafePointer(gathered)
                    }
                    // partial[g] (O/g × patch) (+)= gradient (O/g × images·OH·OW) · colᵀ
                    BLAS.gemm(transB: true, m: s.groupOut, n: s.patch, k: columns, a: gradient, lda: columns,
                              b: col, ldb: columns, beta: first == range.lowerBound ? 0 : 1,
                              c: partial + g * s.groupOut * s.patch, ldc: s.patch)
                    guard let dx else { continue }
                    // dcol (patch × images·OH·OW) = w[g]ᵀ · gradient, folded back into each image
                    let dcol = context.pointer(.patchGradient, worker)
                    BLAS.gemm(transA: true, m: s.patch, n: columns, k: s.groupOut, a: weights, lda: s.patch,
                              b: gradient, ldb: columns, beta: 0, c: dcol, ldc: columns)
                    for i in 0..<count {
                        Im2Col.scatter(dx + ((first + i) * s.inChannels + g * s.groupIn) * inPlane, dcol + i * outPlane,
                                       rowStride: columns, channels: s.groupIn, s)
                    }
                }
            }
        }
        addPartials(dw, count: s.weightCount, chunks: chunks, context)
    }

    /// dw[i] += partial₀[i] + partial₁[i] + … in chunk order.
    static func addPartials(_ dw: UnsafeMutablePointer<Float>, count: Int, chunks: Int, _ context: ComputeContext) {
        let partials = (0..<chunks).map { context.pointer(.weightPartials, $0) }
        let pieces = (count + 16383) / 16384
        context.forEach(pieces, kind: .weightGradientSum) { piece, _ in
            let range = Parallel.range(piece, of: pieces, count: count)
            for partial in partials {
                for i in range { dw[i] += partial[i] }
            }
        }
    }
}
