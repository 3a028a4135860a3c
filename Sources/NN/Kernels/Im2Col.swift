/// Unfolding an image into the patch matrix of a convolution and folding it back
/// (Darknet's im2col.c / col2im.c): col has one row per (channel, ky, kx) and one column
/// per output pixel, so the convolution of one group is a single matrix product (`Conv2D`).
enum Im2Col {
    /// The output columns first..<last whose input column ox·stride − pad + kx is inside the image.
    @inline(__always)
    static func insideColumns(kx: Int, _ s: ConvShape) -> (first: Int, last: Int) {
        let first = min(s.outWidth, max(0, (s.pad - kx + s.stride - 1) / s.stride))
        return (first, max(first, min(s.outWidth, (s.width + s.pad - kx + s.stride - 1) / s.stride)))
    }

    /// col (C·K·K, OH·OW) ← patches of image (C, H, W); padding reads as 0. Rows of col
    /// are `rowStride` floats apart (several images side by side share one matrix).
    static func gather(
        _ col: UnsafeMutablePointer<Float>, rowStride: Int, _ image: UnsafePointer<Float>, channels: Int,
        _ s: ConvShape
    ) {
        if keepsSize(s) {
            gatherSame(col, rowStride: rowStride, image, channels: channels, s)
            return
        }
        forEachRow(col, rowStride: rowStride, UnsafeMutablePointer(mutating: image), channels: channels, s) {
            out, source, first, last in
            guard let source else { return Vectors.zero(out, s.outWidth) }
            for ox in 0..<first { out[ox] = 0 }
            if s.stride == 1 {
                Vectors.copy(out + first, source + first, last - first)
            } else {
                for ox in first..<last { out[ox] = source[ox * s.stride] }
            }
            for ox in last..<s.outWidth { out[ox] = 0 }
        }
    }

    /// `gather` for a stride-1 conv whose output is as large as its input ("same" padding):
    /// row (c, ky, kx) is the plane shifted by (ky − pad, kx − pad), so the rows inside the
    /// image are one contiguous copy; the columns that fell off the left or right edge and
    /// the rows above or below the image are then zeroed.
    static func gatherSame(
        _ col: UnsafeMutablePointer<Float>, rowStride: Int, _ image: UnsafePointer<Float>,
        channels: Int, _ s: ConvShape
    ) {
        forEachSameRow(col, rowStride: rowStride, image, channels: channels, s) { row, plane, tap in
            let (h, w) = (s.height, s.width)
            Vectors.zero(row, tap.top * w)
            Vectors.zero(row + tap.bottom * w, (h - tap.bottom) * w)
            if tap.end > tap.start { Vectors.copy(row + tap.start, plane + tap.start + tap.shift, tap.end - tap.start) }
            if tap.start > tap.top * w { Vectors.zero(row + tap.top * w, tap.start - tap.top * w) }
            if tap.end < tap.bottom * w { Vectors.zero(row + tap.end, tap.bottom * w - tap.end) }
            tap.zeroEdgeColumns(row, width: w)
        }
    }

    /// Where tap (ky, kx) of a same-padded stride-1 conv reads inside the image.
    struct SameTap {
        /// Output rows whose input row oy + dy is inside the image.
        let top, bottom: Int
        /// Output columns whose input column ox + dx is inside the image.
        let left, right: Int
        /// out[p] = plane[p + shift] for p in start..<end: the valid rows, clipped to the plane.
        let shift, start, end: Int

        init(ky: Int, kx: Int, _ s: ConvShape) {
            let (h, w) = (s.height, s.width), dy = ky - s.pad, dx = kx - s.pad
            top = min(h, max(0, -dy)); bottom = max(top, min(h, h - dy))
            left = min(w, max(0, -dx)); right = max(left, min(w, w - dx))
            shift = dy * w + dx
            start = max(top * w, -shift); end = min(bottom * w, h * w - shift)
        }

        /// The row's entries in the valid rows whose column fell off the left or right edge, set to 0.
        @inline(__always) func zeroEdgeColumns(_ row: UnsafeMutablePointer<Float>, width w: Int) {
            guard left > 0 || right < w else { return }
            for oy in top..<bottom {
                let out = row + oy * w
                for ox in 0..<left { out[ox] = 0 }
                for ox in right..<w { out[ox] = 0 }
            }
        }
    }

    /// Calls `body(row, plane, tap)` for every patch row (c, ky, kx) of a same-padded
    /// stride-1 conv, in order: `gatherSame` and `scatterSame`'s walk.
    @inline(__always)
    static func forEachSameRow(
        _ col: UnsafeMutablePointer<Float>, rowStride: Int, _ image: UnsafePointer<Float>,
        channels: Int, _ s: ConvShape,
        _ body: (_ row: UnsafeMutablePointer<Float>, _ plane: UnsafePointer<Float>, _ tap: SameTap) -> Void
    ) {
        var row = col
        for c in 0..<channels {
            let plane = image + c * s.height * s.width
            for ky in 0..<s.kernel {
                for kx in 0..<s.kernel {
                    body(row, plane, SameTap(ky: ky, kx: kx, s))
                    row += rowStride
                }
            }
        }
    }

    /// image (C, H, W) += the patch matrix col (C·K·K, OH·OW), rows `rowStride` apart,
    /// folded back; padding is dropped.
    /// For a same-padded stride-1 conv, col's entries that fell off the left or right edge
    /// are set to 0 on the way (col is scratch).
    static func scatter(
        _ image: UnsafeMutablePointer<Float>, _ col: UnsafeMutablePointer<Float>, rowStride: Int,
        channels: Int, _ s: ConvShape
    ) {
        if keepsSize(s) {
            scatterSame(image, col, rowStride: rowStride, channels: channels, s)
            return
        }
        forEachRow(col, rowStride: rowStride, image, channels: channels, s) { source, target, first, last in
            guard let target else { return }
            if s.stride == 1 {
                Vectors.add(target + first, source + first, last - first)
            } else {
                for ox in first..<last { target[ox * s.stride] += source[ox] }
            }
        }
    }

    /// A stride-1 conv whose output is as large as its input ("same" padding).
    static func keepsSize(_ s: ConvShape) -> Bool { s.stride == 1 && s.outHeight == s.height && s.outWidth == s.width }

    /// body(colRow, imageRow, first, last) for every output row oy of every row (c, ky, kx) of
    /// col, in that order: colRow the OW floats of col, imageRow the input row iy = oy·stride −
    /// pad + ky from column kx − pad on (nil when iy is outside the image), first..<last the
    /// output columns whose input column is inside.
    @inline(__always)
    static func forEachRow(
        _ col: UnsafeMutablePointer<Float>, rowStride: Int, _ image: UnsafeMutablePointer<Float>,
        channels: Int, _ s: ConvShape,
        _ body: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?, Int, Int) -> Void
    ) {
        var row = col
        for c in 0..<channels {
            let plane = image + c * s.height * s.width
            for ky in 0..<s.kernel {
                for kx in 0..<s.kernel {
                    let (first, last) = insideColumns(kx: kx, s)
                    for oy in 0..<s.outHeight {
                        let iy = oy * s.stride - s.pad + ky
                        let inside = iy >= 0 && iy < s.height
                        body(row + oy * s.outWidth, inside ? plane + iy * s.width - s.pad + kx : nil, first, last)
                    }
                    row += rowStride
                }
            }
        }
    }

    /// `scatter` for a same-padded stride-1 conv: the reverse of `gatherSame`. The edge
    /// columns of each row are zeroed, so the rows inside the image add to the plane as one
    /// contiguous run; each pixel still receives its terms in (c, ky, kx) order.
    static func scatterSame(
        _ image: UnsafeMutablePointer<Float>, _ col: UnsafeMutablePointer<Float>, rowStride: Int,
        channels: Int, _ s: ConvShape
    ) {
        forEachSameRow(col, rowStride: rowStride, UnsafePointer(image), channels: channels, s) { row, plane, tap in
            tap.zeroEdgeColumns(row, width: s.width)
            if tap.end > tap.start {
                Vectors.add(
                    UnsafeMutablePointer(mutating: plane) + tap.start + tap.shift, row + tap.start, tap.end - tap.start)
            }
        }
    }
}
