/// The register tiles of `Conv3x3`: all the arithmetic of the direct convolution.
/// Accumulators are SIMD16 locals that stay in AVX-512 registers for a whole tile, and
/// every product goes through `addProduct` (one rounding, an FMA instruction).
extension Conv3x3 {
    typealias V = Vectors.V16

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V { Vectors.load(p) }

    @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ v: V) { Vectors.store(p, v) }

    /// p ← v, or p ← p + v.
    @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ v: V, _ add: Bool) {
        store(p, add ? load(p) + v : v)
    }

    /// Adjacent lanes of p and of q added: (p0 + p1, p2 + p3, …, q14 + q15). Folding 2ⁿ
    /// vectors pairwise n times leaves one vector of their 16-lane totals, in order, for
    /// 2ⁿ − 1 adds and twice as many two-vector permutes instead of 2ⁿ · 15 scalar adds.
    @inline(__always) static func fold(_ p: V, _ q: V) -> V {
        V(lowHalf: p.evenHalf, highHalf: q.evenHalf) + V(lowHalf: p.oddHalf, highHalf: q.oddHalf)
    }

    /// The 16 lanes added pairwise (8 + 8, 4 + 4, 2 + 2, 1 + 1): a fixed order.
    @inline(__always) static func total(_ v: V) -> Float {
        let eight = v.lowHalf + v.highHalf, four = eight.lowHalf + eight.highHalf
        let two = four.lowHalf + four.highHalf
        return two[0] + two[1]
    }
}

/// Four output channels of a few output vectors.
protocol Conv3x3Tile {
    /// Adds the four weights w[0..<4] (one tap, four output channels) times the input
    /// vectors whose first one is at p.
    mutating func add(_ p: UnsafePointer<Float>, _ w: UnsafePointer<Float>)
    /// Writes (or adds) the four channels' sums; their vectors are consecutive in each
    /// channel, and the channels `plane` floats apart.
    func store(_ out: UnsafeMutablePointer<Float>, plane: Int, add: Bool)
}

extension Conv3x3Tile {
    /// Accumulates all input channels and the nine taps: tap (i, j) of the tile's first
    /// vector is S_j at i rows further. Weights packed as [inputs][9 taps][4 outputs]
    /// (`Conv3x3.packWeights`).
    @inline(__always)
    mutating func run(
        _ input: UnsafePointer<Float>, _ weights: UnsafePointer<Float>, inputs: Int,
        _ grid: Conv3x3.Grid
    ) {
        var r0 = input, w = weights
        let row = grid.width, j1 = grid.shifted, j2 = 2 * grid.shifted
        for _ in 0..<inputs {
            let r1 = r0 + row, r2 = r1 + row
            add(r0, w); add(r0 + j1, w + 4); add(r0 + j2, w + 8)
            add(r1, w + 12); add(r1 + j1, w + 16); add(r1 + j2, w + 20)
            add(r2, w + 24); add(r2 + j1, w + 28); add(r2 + j2, w + 32)
            r0 += grid.channel
            w += 36
        }
    }
}

/// 4 channels × 4 vectors (64 pixels): 16 accumulators; per tap 4 loads, 4 broadcasts, 16 FMAs.
struct Tile4x4: Conv3x3Tile {
    typealias V = Conv3x3.V
    var a00 = V(), a01 = V(), a02 = V(), a03 = V(), a10 = V(), a11 = V(), a12 = V(), a13 = V()
    var a20 = V(), a21 = V(), a22 = V(), a23 = V(), a30 = V(), a31 = V(), a32 = V(), a33 = V()
    @inline(__always) mutating func add(_ p: UnsafePointer<Float>, _ w: UnsafePointer<Float>) {
        let x0 = Conv3x3.load(p), x1 = Conv3x3.load(p + 16), x2 = Conv3x3.load(p + 32), x3 = Conv3x3.load(p + 48)
        var k = V(repeating: w[0])
        a00.addProduct(k, x0); a01.addProduct(k, x1); a02.addProduct(k, x2); a03.addProduct(k, x3)
        k = V(repeating: w[1])
        a10.addProduct(k, x0); a11.addProduct(k, x1); a12.addProduct(k, x2); a13.addProduct(k, x3)
        k = V(repeating: w[2])
        a20.addProduct(k, x0); a21.addProduct(k, x1); a22.addProduct(k, x2); a23.addProduct(k, x3)
        k = V(repeating: w[3])
        a30.addProduct(k, x0); a31.addProduct(k, x1); a32.addProduct(k, x2); a33.addProduct(k, x3)
    }

    @inline(__always) func store(_ out: UnsafeMutablePointer<Float>, plane: Int, add: Bool) {
        Self.store(out, a00, a01, a02, a03, add)
        Self.store(out + plane, a10, a11, a12, a13, add)
        Self.store(out + 2 * plane, a20, a21, a22, a23, add)
        Self.store(out + 3 * plane, a30, a31, a32, a33, add)
    }

    @inline(__always)
    static func store(_ p: UnsafeMutablePointer<Float>, _ v0: V, _ v1: V, _ v2: V, _ v3: V, _ add: Bool) {
        Conv3x3.store(p, v0, add); Conv3x3.store(p + 16, v1, add)
        Conv3x3.store(p + 32, v2, add); Conv3x3.store(p + 48, v3, add)
    }
}

/// 4 channels × 1 vector, for the last vectors of a plane.
struct Tile4x1: Conv3x3Tile {
    typealias V = Conv3x3.V
    var a0 = V(), a1 = V(), a2 = V(), a3 = V()

    @inline(__always) mutating func add(_ p: UnsafePointer<Float>, _ w: UnsafePointer<Float>) {
        let x = Conv3x3.load(p)
        a0.addProduct(V(repeating: w[0]), x); a1.addProduct(V(repeating: w[1]), x)
        a2.addProduct(V(repeating: w[2]), x); a3.addProduct(V(repeating: w[3]), x)
    }

    @inline(__always) func store(_ out: UnsafeMutablePointer<Float>, plane: Int, add: Bool) {
        Conv3x3.store(out, a0, add); Conv3x3.store(out + plane, a1, add)
        Conv3x3.store(out + 2 * plane, a2, add); Conv3x3.store(out + 3 * plane, a3, add)
    }
}

/// The weight gradient of one output channel and two input channels: 9 taps × 2 vector
/// sums; per 16 pixels 2 + 9 loads and 18 FMAs.
struct TapSums2 {
    typealias V = Conv3x3.V
    var a0 = V(), a1 = V(), a2 = V(), a3 = V(), a4 = V(), a5 = V(), a6 = V(), a7 = V(), a8 = V()
    var b0 = V(), b1 = V(), b2 = V(), b3 = V(), b4 = V(), b5 = V(), b6 = V(), b7 = V(), b8 = V()

    /// Adds the images of a group. `plain` is the first input plane (the second is `second`
    /// floats further), `shifted` an output gradient's S_0 (S_1 and S_2 follow it); the next
    /// image's are `plainStride` and `shiftedStride` floats further. Sum m = 3·r + j pairs
    /// the plain planes with S_j read r rows further.
    ///
    /// With `Conv3x3.wideRegisters` (AVX-512) all 18 sums stay in registers through one
    /// loop over all vectors of all images. AVX2 has 16 registers of 8 floats, where 18
    /// SIMD16 sums would spill: there the loop runs once per row r, for the 6 sums of that
    /// row (12 registers, the two plain vectors in 4 more). Each sum adds the same products
    /// in the same order either way: same bits.
    @inline(__always)
    mutating func run(
        _ plain: UnsafePointer<Float>, second: Int, _ shifted: UnsafePointer<Float>, images: Int,
        plainStride: Int, shiftedStride: Int, _ grid: Conv3x3.Grid
    ) {
        let row = grid.width, j1 = grid.shifted, j2 = 2 * grid.shifted
        func walk(_ body: (_ g: UnsafePointer<Float>, _ r0: UnsafePointer<Float>) -> Void) {
            Self.walk(
                plain, shifted, images: images, plainStride: plainStride, shiftedStride: shiftedStride, grid, body)
        }
        if Conv3x3.wideRegisters {
            walk { g, r0 in
                let d0 = Conv3x3.load(g), d1 = Conv3x3.load(g + second)
                let r1 = r0 + row, r2 = r1 + row
                Self.fma(&a0, &b0, d0, d1, r0); Self.fma(&a1, &b1, d0, d1, r0 + j1); Self.fma(&a2, &b2, d0, d1, r0 + j2)
                Self.fma(&a3, &b3, d0, d1, r1); Self.fma(&a4, &b4, d0, d1, r1 + j1); Self.fma(&a5, &b5, d0, d1, r1 + j2)
                Self.fma(&a6, &b6, d0, d1, r2); Self.fma(&a7, &b7, d0, d1, r2 + j1); Self.fma(&a8, &b8, d0, d1, r2 + j2)
            }
            return
        }
        func rowSums(_ offset: Int) -> (V, V, V, V, V, V) {
            var x0 = V(), x1 = V(), x2 = V(), y0 = V(), y1 = V(), y2 = V()
            walk { g, r0 in
                let d0 = Conv3x3.load(g), d1 = Conv3x3.load(g + second), r = r0 + offset
                Self.fma(&x0, &y0, d0, d1, r); Self.fma(&x1, &y1, d0, d1, r + j1); Self.fma(&x2, &y2, d0, d1, r + j2)
            }
            return (x0, x1, x2, y0, y1, y2)
        }
        (a0, a1, a2, b0, b1, b2) = rowSums(0)
        (a3, a4, a5, b3, b4, b5) = rowSums(row)
        (a6, a7, a8, b6, b7, b8) = rowSums(2 * row)
    }

    /// Calls `body(g, r0)` for every vector of every image: g the plain vector, r0 the
    /// shifted gradient's S_0 at the same place.
    @inline(__always)
    static func walk(
        _ plain: UnsafePointer<Float>, _ shifted: UnsafePointer<Float>, images: Int, plainStride: Int,
        shiftedStride: Int, _ grid: Conv3x3.Grid,
        _ body: (_ g: UnsafePointer<Float>, _ r0: UnsafePointer<Float>) -> Void
    ) {
        var plainImage = plain, shiftedImage = shifted, g = plain, r0 = shifted
        var image = 0, v = 0
        while image < images {
            body(g, r0)
            g += 16
            r0 += 16
            v += 1
            if v == grid.vectors {
                v = 0
                image += 1
                plainImage += plainStride
                shiftedImage += shiftedStride
                g = plainImage
                r0 = shiftedImage
            }
        }
    }

    @inline(__always) static func fma(_ a: inout V, _ b: inout V, _ d0: V, _ d1: V, _ p: UnsafePointer<Float>) {
        let x = Conv3x3.load(p)
        a.addProduct(d0, x)
        b.addProduct(d1, x)
    }

    /// first[8 − m] += the lanes of a_m and, with `pair`, first[17 − m] += those of b_m (the
    /// next input channel's nine weights follow): sum m, shifted by (r, j) = (m / 3, m % 3),
    /// is the weight of tap (2 − r, 2 − j).
    @inline(__always) func add(into first: UnsafeMutablePointer<Float>, pair: Bool) {
        // sixteen sums folded into one vector of their totals, in the order of the weights
        typealias F = Conv3x3
        let totals = F.fold(
            F.fold(F.fold(F.fold(a8, a7), F.fold(a6, a5)), F.fold(F.fold(a4, a3), F.fold(a2, a1))),
            F.fold(F.fold(F.fold(a0, b8), F.fold(b7, b6)), F.fold(F.fold(b5, b4), F.fold(b3, b2))))
        guard pair else {
            for t in 0..<9 { first[t] += totals[t] }
            return
        }
        F.store(first, F.load(first) + totals)
        first[16] += F.total(b1)
        first[17] += F.total(b0)
    }
}
