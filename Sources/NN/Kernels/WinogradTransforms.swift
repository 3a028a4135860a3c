/// The three transforms of Winograd's F(2x2, 3x3) (Lavin & Gray 2016), for `Winograd3x3`:
/// a 3x3 filter g becomes U = G g Gᵀ, a 4x4 input tile d becomes V = Bᵀ d B, and the 16
/// products m = Σ_c U ⊙ V become the 2x2 output tile Aᵀ m A, with
///
///     Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
///     G  = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]
///     Aᵀ = [1 1 1 0; 0 1 −1 −1]
///
/// Every transform is additions and subtractions in a fixed order, and halvings, which are
/// exact: no product rounds, so no FMA can be contracted differently by another compiler
/// or ISA, and the bits depend on the operands alone. Position ξ = 4·i + k is row i,
/// column k of the 4x4 tile. The input and output transforms run on 8 tiles of a tile row
/// at once (a SIMD8 per position): the input's stride-2 columns come from two 16-float
/// loads split into even and odd lanes.
enum WinogradTransforms {
    /// 8 tiles a vector: a run's 16 positions (or its rows' 16 values) fit AVX2's 16 registers.
    /// Every operation is lane by lane: the width changes no bit.
    typealias V = Vectors.V8
    static let lanes = 8

    /// The tiles of an H × W plane (both even): H/2 rows of W/2 tiles, tile t = row · W/2 + column,
    /// read from a copy of the plane padded by one zero on every side (and on the right up
    /// to whole runs of 8 tiles, so that every load stays inside it), each of its rows split
    /// into even and odd columns: a tile's columns 2x, 2x + 1, 2x + 2, 2x + 3 are then
    /// element x of even, odd, even + 1 and odd + 1, and a run's loads are contiguous.
    struct Tiles {
        let height, width: Int
        /// Tiles per tile row, tile rows, tiles.
        let perRow, rows, count: Int
        /// Runs of 8 tiles per tile row (the last may be shorter).
        let runs: Int
        /// Floats of the even (or odd) columns of a padded row, and of the whole padded plane.
        let half, paddedCount: Int

        init(height: Int, width: Int) {
            (self.height, self.width) = (height, width)
            (perRow, rows) = (width / 2, height / 2)
            count = perRow * rows
            runs = (perRow + 7) / 8
            // a run's loads reach element 8 · runs of its even and odd rows
            half = 8 * runs + 1
            paddedCount = (height + 2) * 2 * half
        }
    }

    /// Where `input` writes a channel's transformed tiles: position ξ's tile t at
    /// base + ξ · positionStride + (t / width) · panelStride + t % width, the panel layout
    /// `PanelProduct.multiply` reads (`width` columns per panel row).
    struct PanelTarget {
        let base: UnsafeMutablePointer<Float>
        let positionStride, panelStride, width: Int
    }

    /// U (16 positions × outputs × inputs per group: u[((g · 16 + ξ) · outputs + o) · inputs + c])
    /// of the weights (O, C/groups, 3, 3), for the rows (g · outputs + o) in `rows`; flipped: of
    /// the transposed conv's weights, whose outputs are the conv's inputs,
    /// w'[c][k][i][j] = w[k][c][2 − i][2 − j].
    static func filters(
        _ u: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>, _ s: ConvShape, flipped: Bool, rows: Range<Int>
    ) {
        let (outputs, inputs) = flipped ? (s.groupIn, s.groupOut) : (s.groupOut, s.groupIn)
        var g = SIMD16<Float>()
        for row in rows {
            let (group, o) = row.quotientAndRemainder(dividingBy: outputs)
            let weights = w + group * s.groupOut * s.patch, target = u + group * 16 * outputs * inputs
            for c in 0..<inputs {
                for tap in 0..<9 {
                    g[tap] = flipped ? weights[(c * outputs + o) * 9 + 8 - tap] : weights[(o * inputs + c) * 9 + tap]
                }
                let transformed = filter(g)
                for xi in 0..<16 { target[(xi * outputs + o) * inputs + c] = transformed[xi] }
            }
        }
    }

    /// G g Gᵀ of one filter (row-major 3x3 in the first 9 lanes): the columns first, then the rows.
    static func filter(_ g: SIMD16<Float>) -> SIMD16<Float> {
        let c0 = gRows(g[0], g[3], g[6]), c1 = gRows(g[1], g[4], g[7]), c2 = gRows(g[2], g[5], g[8])
        let r0 = gRows(c0.0, c1.0, c2.0), r1 = gRows(c0.1, c1.1, c2.1)
        let r2 = gRows(c0.2, c1.2, c2.2), r3 = gRows(c0.3, c1.3, c2.3)
        return SIMD16(
            r0.0, r0.1, r0.2, r0.3, r1.0, r1.1, r1.2, r1.3, r2.0, r2.1, r2.2, r2.3, r3.0, r3.1, r3.2, r3.3)
    }

    /// G of three rows (or columns) of a filter: halvings are exact.
    @inline(__always) static func gRows(_ a: Float, _ b: Float, _ c: Float) -> (Float, Float, Float, Float) {
        let outer = a + c
        return (a, 0.5 * (outer + b), 0.5 * (outer - b), c)
    }

    /// Bᵀ d of the columns (or d B of the rows) of a 4x4 tile, a run of tiles a vector.
    @inline(__always) static func bRows(_ d0: V, _ d1: V, _ d2: V, _ d3: V) -> (V, V, V, V) {
        (d0 - d2, d1 + d2, d2 - d1, d1 - d3)
    }

    /// Aᵀ m of the columns (or m A of the rows) of a 4x4 tile of products.
    @inline(__always) static func aRows(_ m0: V, _ m1: V, _ m2: V, _ m3: V) -> (V, V) {
        (m0 + m1 + m2, m1 - m2 - m3)
    }

    /// V = Bᵀ d B of every tile of one H × W plane, into `target`; `padded` is scratch of
    /// `tiles.paddedCount` floats. Row by row of a run's tiles, each row's d B used as soon as
    /// the column transform can: few vectors live at once.
    static func input(
        _ target: PanelTarget, _ plane: UnsafePointer<Float>, _ tiles: Tiles, padded: UnsafeMutablePointer<Float>
    ) {
        split(padded, plane, tiles)
        let rowStride = 2 * tiles.half
        for ty in 0..<tiles.rows {
            for run in 0..<tiles.runs {
                let first = run * lanes, source = padded + 2 * ty * rowStride + first
                let t = ty * tiles.perRow + first, count = min(lanes, tiles.perRow - first)
                let stretch = Run(target, t, count)
                let h0 = row(source, tiles.half), h2 = row(source + 2 * rowStride, tiles.half)
                stretch.store(target, position: 0, (h0.0 - h2.0, h0.1 - h2.1, h0.2 - h2.2, h0.3 - h2.3))
                let h1 = row(source + rowStride, tiles.half)
                stretch.store(target, position: 4, (h1.0 + h2.0, h1.1 + h2.1, h1.2 + h2.2, h1.3 + h2.3))
                stretch.store(target, position: 8, (h2.0 - h1.0, h2.1 - h1.1, h2.2 - h1.2, h2.3 - h1.3))
                let h3 = row(source + 3 * rowStride, tiles.half)
                stretch.store(target, position: 12, (h1.0 - h3.0, h1.1 - h3.1, h1.2 - h3.2, h1.3 - h3.3))
            }
        }
    }

    /// d B of one row of a run's tiles, from its even columns at p and its odd ones `half` further.
    @inline(__always) static func row(_ p: UnsafePointer<Float>, _ half: Int) -> (V, V, V, V) {
        bRows(Vectors.load8(p), Vectors.load8(p + half), Vectors.load8(p + 1), Vectors.load8(p + half + 1))
    }

    /// Where a run of tiles t..<t + count goes in the panels: one stretch of a panel row, or
    /// (when it crosses a panel) tile by tile.
    struct Run {
        let t, count, offset: Int
        let contiguous: Bool

        @inline(__always) init(_ target: PanelTarget, _ t: Int, _ count: Int) {
            let (panel, column) = t.quotientAndRemainder(dividingBy: target.width)
            (self.t, self.count, offset) = (t, count, panel * target.panelStride + column)
            contiguous = column + count <= target.width
        }

        /// Positions ξ…ξ + 3 (one row of the 4x4 tile).
        @inline(__always) func store(_ target: PanelTarget, position xi: Int, _ v: (V, V, V, V)) {
            store(target.base + xi * target.positionStride, v.0, target)
            store(target.base + (xi + 1) * target.positionStride, v.1, target)
            store(target.base + (xi + 2) * target.positionStride, v.2, target)
            store(target.base + (xi + 3) * target.positionStride, v.3, target)
        }

        @inline(__always) func store(_ base: UnsafeMutablePointer<Float>, _ value: V, _ target: PanelTarget) {
            if contiguous {
                storePrefix(base + offset, value, count)
            } else {
                for lane in 0..<count {
                    let (p, j) = (t + lane).quotientAndRemainder(dividingBy: target.width)
                    base[p * target.panelStride + j] = value[lane]
                }
            }
        }
    }

    /// The plane with a border of zeros, each padded row as its even columns then its odd
    /// ones (`tiles.half` floats each, zero past the image).
    static func split(_ padded: UnsafeMutablePointer<Float>, _ plane: UnsafePointer<Float>, _ tiles: Tiles) {
        let half = tiles.half, perRow = tiles.perRow
        Vectors.zero(padded, 2 * half)
        Vectors.zero(padded + (tiles.height + 1) * 2 * half, 2 * half)
        for y in 0..<tiles.height {
            let even = padded + (y + 1) * 2 * half, odd = even + half, source = plane + y * tiles.width
            even[0] = 0
            for i in 0..<perRow {
                odd[i] = source[2 * i]
                even[i + 1] = source[2 * i + 1]
            }
            Vectors.zero(even + perRow + 1, half - perRow - 1)
            Vectors.zero(odd + perRow, half - perRow)
        }
    }

    /// out (H × W) = (or +=) Aᵀ m A of every tile: m[ξ · positionStride + t] is position ξ of
    /// tile t's products (`tiles.count` floats a position, and `lanes` more readable after the
    /// last). Column by column of the 4x4 tile, few vectors live at once; a tile row's even
    /// and odd output columns go to `scratch` (4 · `lanes` · `tiles.runs` floats), then
    /// interleaved into the plane.
    static func output(
        _ out: UnsafeMutablePointer<Float>, _ m: UnsafePointer<Float>, positionStride: Int, _ tiles: Tiles, add: Bool,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let length = lanes * tiles.runs
        let (topEven, topOdd, bottomEven, bottomOdd) = (
            scratch, scratch + length, scratch + 2 * length, scratch + 3 * length
        )
        for ty in 0..<tiles.rows {
            for run in 0..<tiles.runs {
                let first = run * lanes, t = ty * tiles.perRow + first
                @inline(__always) func column(_ k: Int) -> (V, V) {
                    let p = m + t + k * positionStride, stride = 4 * positionStride
                    return aRows(
                        Vectors.load8(p), Vectors.load8(p + stride), Vectors.load8(p + 2 * stride),
                        Vectors.load8(p + 3 * stride))
                }
                let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
                let top = aRows(c0.0, c1.0, c2.0, c3.0), bottom = aRows(c0.1, c1.1, c2.1, c3.1)
                Vectors.store8(topEven + first, top.0)
                Vectors.store8(topOdd + first, top.1)
                Vectors.store8(bottomEven + first, bottom.0)
                Vectors.store8(bottomOdd + first, bottom.1)
            }
            let target = out + 2 * ty * tiles.width
            interleave(target, topEven, topOdd, tiles.perRow, add)
            interleave(target + tiles.width, bottomEven, bottomOdd, tiles.perRow, add)
        }
    }

    /// p[2·i] and p[2·i + 1] ← (or +=) even[i] and odd[i] for i < count.
    @inline(__always)
    static func interleave(
        _ p: UnsafeMutablePointer<Float>, _ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, _ count: Int,
        _ add: Bool
    ) {
        if add {
            for i in 0..<count {
                p[2 * i] += even[i]
                p[2 * i + 1] += odd[i]
            }
        } else {
            for i in 0..<count {
                p[2 * i] = even[i]
                p[2 * i + 1] = odd[i]
            }
        }
    }

    /// p[0..<count] ← value's first `count` lanes.
    @inline(__always) static func storePrefix(_ p: UnsafeMutablePointer<Float>, _ value: V, _ count: Int) {
        if count == lanes {
            Vectors.store8(p, value)
        } else if count == 4 {
            UnsafeMutableRawPointer(p).storeBytes(of: value.lowHalf, as: SIMD4<Float>.self)
        } else {
            for lane in 0..<count { p[lane] = value[lane] }
        }
    }
}
