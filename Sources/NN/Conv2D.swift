import Tensor

/// 2-D convolution as im2col + GEMM (Darknet's recipe), forward and backward.
///
/// Work is split per image (forward) and into a fixed number of image ranges (backward,
/// `reductionChunks`), independent of the thread count: each range sums its weight
/// gradient into its own slot, and the slots are added in range order.
public enum Conv2D {
    /// Image ranges of the weight-gradient reduction. Fixed, so results do not depend on threads.
    public static func reductionChunks(batch: Int) -> Int { min(batch, 8) }

    // Workspace slots.
    static let colSlot = 0, dColSlot = 1, partialSlot = 2

    /// out (N, O, OH, OW) = conv(x (N, C, H, W), w (O, C/groups, K, K)); out is overwritten.
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>,
                               _ w: UnsafePointer<Float>, _ s: ConvShape) {
        let outPlane = s.outHeight * s.outWidth, inPlane = s.height * s.width
        if !s.isPointwise { Workspace.reserve(slot: colSlot, count: s.patch * outPlane) }
        Parallel.forEach(s.batch) { n, worker in
            let image = x + n * s.inChannels * inPlane
            for g in 0..<s.groups {
                let groupImage = image + g * s.groupIn * inPlane
                var col = UnsafePointer(groupImage)
                if !s.isPointwise {
                    let scratch = Workspace.pointer(colSlot, worker)
                    Im2Col.gather(scratch, groupImage, channels: s.groupIn, s)
                    col = UnsafePointer(scratch)
                }
                // out[n, g] (O/g × OH·OW) = w[g] (O/g × patch) · col (patch × OH·OW)
                BLAS.gemm(m: s.groupOut, n: outPlane, k: s.patch, a: w + g * s.groupOut * s.patch, lda: s.patch,
                          b: col, ldb: outPlane, beta: 0,
                          c: out + (n * s.outChannels + g * s.groupOut) * outPlane, ldc: outPlane)
            }
        }
    }

    /// dw += d(sum(out ⊙ dOut))/dw and, when dx is given, dx += d(…)/dx.
    public static func backward(dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>,
                                dOut: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                _ w: UnsafePointer<Float>, _ s: ConvShape) {
        let outPlane = s.outHeight * s.outWidth, inPlane = s.height * s.width
        let chunks = reductionChunks(batch: s.batch)
        if !s.isPointwise {
            Workspace.reserve(slot: colSlot, count: s.patch * outPlane)
            if dx != nil { Workspace.reserve(slot: dColSlot, count: s.patch * outPlane) }
        }
        Workspace.reserve(slot: partialSlot, count: s.weightCount, workers: max(chunks, Parallel.threads))
        Parallel.forEach(chunks) { chunk, worker in
            let partial = Workspace.pointer(partialSlot, chunk)
            for (index, n) in Parallel.range(chunk, of: chunks, count: s.batch).enumerated() {
                let image = x + n * s.inChannels * inPlane
                for g in 0..<s.groups {
                    let groupImage = image + g * s.groupIn * inPlane
                    let groupOut = dOut + (n * s.outChannels + g * s.groupOut) * outPlane
                    let groupW = w + g * s.groupOut * s.patch
                    var col = UnsafePointer(groupImage)
                    if !s.isPointwise {
                        let scratch = Workspace.pointer(colSlot, worker)
                        Im2Col.gather(scratch, groupImage, channels: s.groupIn, s)
                        col = UnsafePointer(scratch)
                    }
                    // partial[g] (O/g × patch) (+)= dOut[n, g] (O/g × OH·OW) · colᵀ
                    BLAS.gemm(transB: true, m: s.groupOut, n: s.patch, k: outPlane, a: groupOut, lda: outPlane,
                              b: col, ldb: outPlane, beta: index == 0 ? 0 : 1,
                              c: partial + g * s.groupOut * s.patch, ldc: s.patch)
                    guard let dx else { continue }
                    let groupDx = dx + (n * s.inChannels + g * s.groupIn) * inPlane
                    // dcol (patch × OH·OW) = w[g]ᵀ · dOut[n, g]; a pointwise conv's dcol is dx itself.
                    if s.isPointwise {
                        BLAS.gemm(transA: true, m: s.patch, n: outPlane, k: s.groupOut, a: groupW, lda: s.patch,
                                  b: groupOut, ldb: outPlane, beta: 1, c: groupDx, ldc: outPlane)
                    } else {
                        let dcol = Workspace.pointer(dColSlot, worker)
                        BLAS.gemm(transA: true, m: s.patch, n: outPlane, k: s.groupOut, a: groupW, lda: s.patch,
                                  b: groupOut, ldb: outPlane, beta: 0, c: dcol, ldc: outPlane)
                        Im2Col.scatter(groupDx, dcol, channels: s.groupIn, s)
                    }
                }
            }
        }
        addPartials(dw, count: s.weightCount, chunks: chunks)
    }

    /// dw[i] += partial₀[i] + partial₁[i] + … in chunk order.
    static func addPartials(_ dw: UnsafeMutablePointer<Float>, count: Int, chunks: Int) {
        let partials = (0..<chunks).map { Workspace.pointer(partialSlot, $0) }
        let pieces = (count + 16383) / 16384
        Parallel.forEach(pieces) { piece, _ in
            let range = Parallel.range(piece, of: pieces, count: count)
            for partial in partials {
                for i in range { dw[i] += partial[i] }
            }
        }
    }
}
