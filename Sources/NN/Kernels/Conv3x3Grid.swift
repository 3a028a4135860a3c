extension Conv3x3 {
    /// The shifted-plane layout of one geometry (see `Conv3x3`).
    struct Grid {
        let height, width, pixels: Int
        /// Output vectors per plane: pixels / 16, rounded up.
        let vectors: Int
        /// The plane is a whole number of vectors: the tiles write straight into the image.
        let inPlace: Bool
        /// Floats between the output planes the tiles write (`vectors` · 16).
        let outPlane: Int
        /// Floats of one shifted plane S_j (H + 2 rows, and every load of every tap), and of
        /// one input channel's three.
        let shifted, channel: Int

        init(_ s: ConvShape) {
            height = s.height; width = s.width; pixels = s.height * s.width
            vectors = (pixels + 15) / 16
            inPlace = pixels % 16 == 0
            outPlane = vectors * 16
            shifted = (16 * vectors + 2 * width + 15) / 16 * 16
            channel = 3 * shifted
        }

        /// S_0, S_1, S_2 of every image plane: S_j[y'][x] = x[y' − 1][x + j − 1], 0 outside.
        /// Each is the whole plane copied at once, one row down and j − 1 floats along; the
        /// floats that wrapped into the neighbouring row's edge are then zeroed. Each plane's
        /// successor (and after the last, `next`) is prefetched while it is copied.
        func shift(
            _ target: UnsafeMutablePointer<Float>, _ image: UnsafePointer<Float>, channels: Int,
            next: UnsafePointer<Float>? = nil
        ) {
            let end = (height + 1) * width
            for c in 0..<channels {
                let source = image + c * pixels
                let s0 = target + c * channel, s1 = s0 + shifted, s2 = s1 + shifted
                if let following = c + 1 < channels ? source + pixels : next { Vectors.prefetch(following, pixels) }
                Vectors.zero(s0, width + 1)
                Vectors.copy(s0 + width + 1, source, pixels)
                Vectors.zero(s0 + end, shifted - end)
                Vectors.zero(s1, width)
                Vectors.copy(s1 + width, source, pixels)
                Vectors.zero(s1 + end, shifted - end)
                Vectors.zero(s2, width - 1)
                Vectors.copy(s2 + width - 1, source, pixels)
                Vectors.zero(s2 + end - 1, shifted - end + 1)
                for y in 0..<height {
                    s0[(y + 1) * width] = 0  // S_0[y + 1][0] = x[y][−1]
                    s2[y * width + width - 1] = 0  // S_2[y][W − 1] = x[y − 1][W]
                }
            }
        }

        /// Image planes ← (or +=) the planes that `body(target, add)` writes: the image
        /// itself, or scratch planes copied out when the plane is no whole number of vectors.
        @inline(__always)
        func write(
            _ image: UnsafeMutablePointer<Float>, channels: Int, add: Bool, scratch: UnsafeMutablePointer<Float>,
            _ body: (UnsafeMutablePointer<Float>, Bool) -> Void
        ) {
            if inPlace {
                body(image, add)
                return
            }
            body(scratch, false)
            for c in 0..<channels {
                let target = image + c * pixels, source = scratch + c * outPlane
                if add {
                    Vectors.add(target, source, pixels)
                } else {
                    target.update(from: source, count: pixels)
                }
            }
        }

        /// Planes of `outPlane` floats, zero after the image's pixels.
        func widen(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, planes: Int) {
            for p in 0..<planes {
                (target + p * outPlane).update(from: source + p * pixels, count: pixels)
                (target + p * outPlane + pixels).update(repeating: 0, count: outPlane - pixels)
            }
        }
    }
}
