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
/// at once (a SIMD8 per position): the input's stride-2 columns come from 16-float loads
/// split into even and odd lanes.
enum WinogradTransforms {
    /// 8 tiles a vector: a run's 16 positions (or its rows' 16 values) fit AVX2's 16 registers.
    /// Every operation is lane by lane: the width changes no bit.
    typealias V = Vectors.V8
    static let lanes = 8

    /// The tiles of an H × W plane (both even): H/2 rows of W/2 tiles, tile t = row · W/2 + column,
    /// read from a copy of the plane padded by one zero on every side (and on the right up
    /// to whole runs of 8 tiles, so that every load stays inside it), each padded row as four
    /// `quarter`s: quarter k holds its columns 2x + k, so a tile's four columns are element x
    /// of the four quarters and a run's loads are contiguous. (Not two halves, even and odd
    /// columns, read at x and x + 1: LLVM merges such overlapping loads into one and
    /// shuffles, splitting every vector of the transform into 4-float halves.)
    struct Tiles {
        let height, width: Int
        /// Tiles per tile row, tile rows, tiles.
        let perRow, rows, count: Int
        /// Runs of 8 tiles per tile row (the last may be shorter).
        let runs: Int
        /// Floats of a quarter, of a padded row (four quarters, and one before the last that
        /// `split`'s shifted stores may write), and of the whole padded plane.
        let quarter, rowStride, paddedCount: Int

        init(height: Int, width: Int) {
            (self.height, self.width) = (height, width)
            (perRow, rows) = (width / 2, height / 2)
            count = perRow * rows
            runs = (perRow + 7) / 8
            // a run's loads reach element 8 · runs − 1; `split`'s stores into quarter 0, one further
            quarter = 8 * runs + 1
            rowStride = 4 * quarter + 1
            paddedCount = (height + 2) * rowStride
        }

        /// Where quarter k starts in a padded row (quarter 3 one float later: the float before it
        /// takes `split`'s shifted stores).
        @inline(__always) func offset(_ k: Int) -> Int { k * quarter + (k == 3 ? 1 : 0) }

        /// Quarter k of padded row r.
        @inline(__always) func quarter(_ padded: UnsafePointer<Float>, row r: Int, _ k: Int) -> UnsafePointer<Float> {
            padded + r * rowStride + offset(k)
        }
    }

    /// Whole tile rows that fill about one panel of `PanelProduct` (`width` tiles): a block's
    /// input transform, products and output transform run one after the other, so its
    /// transformed inputs (16 × inputs × `columns`) and products (16 × outputs × `columns`)
    /// stay in L1 or L2 between them. The l-th tile of a block (from its first row's first) is
    /// column l % width of its panel l / width; a block is `panels` whole panels.
    struct Blocks {
        let rowsPerBlock, count, panels, columns: Int
        let tiles: Tiles

        init(_ tiles: Tiles, width: Int) {
            self.tiles = tiles
            rowsPerBlock = max(1, width / tiles.perRow)
            count = (tiles.rows + rowsPerBlock - 1) / rowsPerBlock
            panels = (rowsPerBlock * tiles.perRow + width - 1) / width
            columns = panels * width
        }

        /// The tile rows of block b.
        func rows(_ b: Int) -> Range<Int> { b * rowsPerBlock..<min(tiles.rows, (b + 1) * rowsPerBlock) }
    }

    /// Where `input` writes a channel's transformed tiles: position ξ's tile in slot s
    /// (its place in the block) at base + ξ · positionStride + (s / width) · panelStride + s % width,
    /// the panel layout `PanelProduct.multiply` reads (`width` columns per panel row).
    struct PanelTarget {
        let base: UnsafeMutablePointer<Float>
        let positionStride, panelStride, width: Int

        /// Channel c's rows of the panels (one row of each panel a channel).
        func channel(_ c: Int) -> PanelTarget {
            .init(base: base + c * width, positionStride: positionStride, panelStride: panelStride, width: width)
        }
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

    /// V = Bᵀ d B of the tiles in tile rows `rows` of one H × W plane, from its padded copy
    /// (`split`), into `target`: the l-th tile from the first row's first in slot l. A run of
    /// 8 (or 4) tiles within one panel row is stored straight into the panels; any other run
    /// (a last run of another length, one that crosses a panel) into `staging`, then copied
    /// float by float: a vector is only ever stored whole, never taken apart lane by lane
    /// (which makes LLVM split and spill every vector of the transform).
    static func input(
        _ target: PanelTarget, _ padded: UnsafePointer<Float>, _ tiles: Tiles, rows: Range<Int>
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * lanes) { staging in
            for ty in rows {
                for run in 0..<tiles.runs {
                    let first = run * lanes, count = min(lanes, tiles.perRow - first)
                    let t = (ty - rows.lowerBound) * tiles.perRow + first
                    let (panel, column) = t.quotientAndRemainder(dividingBy: target.width)
                    let direct = (count == lanes || count == lanes / 2) && column + count <= target.width
                    let source = tiles.quarter(padded, row: 2 * ty, 0) + first
                    if direct {
                        transform(
                            target.base + panel * target.panelStride + column, stride: target.positionStride,
                            source, tiles, half: count < lanes)
                    } else {
                        transform(staging.baseAddress!, stride: lanes, source, tiles, half: false)
                        scatter(staging.baseAddress!, target, t, count)
                    }
                }
            }
        }
    }

    /// The 16 positions of a run of 8 tiles whose padded rows start at `source` (quarter 0 of
    /// the top row), position ξ at out + ξ · stride (its first 4 lanes only when `half`). Row by
    /// row of the tiles, each row's d B used as soon as the column transform can: few vectors
    /// live at once.
    @inline(__always)
    static func transform(
        _ out: UnsafeMutablePointer<Float>, stride: Int, _ source: UnsafePointer<Float>, _ tiles: Tiles, half: Bool
    ) {
        @inline(__always) func row(_ i: Int) -> (V, V, V, V) {
            let p = source + i * tiles.rowStride
            return bRows(
                Vectors.load8(p), Vectors.load8(p + tiles.offset(1)), Vectors.load8(p + tiles.offset(2)),
                Vectors.load8(p + tiles.offset(3)))
        }
        @inline(__always) func put(_ xi: Int, _ v: V) {
            if half {
                store4(out + xi * stride, v.lowHalf)
            } else {
                Vectors.store8(out + xi * stride, v)
            }
        }
        let h0 = row(0), h2 = row(2)
        put(0, h0.0 - h2.0); put(1, h0.1 - h2.1); put(2, h0.2 - h2.2); put(3, h0.3 - h2.3)
        let h1 = row(1)
        put(4, h1.0 + h2.0); put(5, h1.1 + h2.1); put(6, h1.2 + h2.2); put(7, h1.3 + h2.3)
        put(8, h2.0 - h1.0); put(9, h2.1 - h1.1); put(10, h2.2 - h1.2); put(11, h2.3 - h1.3)
        let h3 = row(3)
        put(12, h1.0 - h3.0); put(13, h1.1 - h3.1); put(14, h1.2 - h3.2); put(15, h1.3 - h3.3)
    }

    /// Tiles t..<t + count of the staged positions (`lanes` floats each) into their panels.
    @inline(never)
    static func scatter(_ staging: UnsafePointer<Float>, _ target: PanelTarget, _ t: Int, _ count: Int) {
        for xi in 0..<16 {
            for lane in 0..<count {
                let (p, j) = (t + lane).quotientAndRemainder(dividingBy: target.width)
                target.base[xi * target.positionStride + p * target.panelStride + j] = staging[xi * lanes + lane]
            }
        }
    }

    /// The plane with a border of zeros, each padded row as four quarters (`Tiles`): quarter
    /// k's x-th float is image column 2x + k − 1, zero outside the image. The whole copy is
    /// zeroed first (the border, the tails), then the image written in vectors: no float of it
    /// is written lane by lane but the columns after the last 4 (planes of odd tile counts).
    static func split(_ padded: UnsafeMutablePointer<Float>, _ plane: UnsafePointer<Float>, _ tiles: Tiles) {
        let perRow = tiles.perRow
        Vectors.zero(padded, tiles.paddedCount)
        for y in 0..<tiles.height {
            let q0 = UnsafeMutablePointer(mutating: tiles.quarter(padded, row: y + 1, 0))
            let (q1, q2, q3) = (q0 + tiles.offset(1), q0 + tiles.offset(2), q0 + tiles.offset(3))
            let source = plane + y * tiles.width
            // image column 2x is q1[x] and q3[x − 1], column 2x + 1 is q2[x] and q0[x + 1]
            // (q3[−1], the float before q3, is written and never read)
            var x = 0
            while x + lanes <= perRow {
                let pair = Vectors.load(source + 2 * x)
                Vectors.store8(q1 + x, pair.evenHalf)
                Vectors.store8(q3 + x - 1, pair.evenHalf)
                Vectors.store8(q2 + x, pair.oddHalf)
                Vectors.store8(q0 + x + 1, pair.oddHalf)
                x += lanes
            }
            if x + lanes / 2 <= perRow {
                let pair = Vectors.load8(source + 2 * x)
                store4(q1 + x, pair.evenHalf)
                store4(q3 + x - 1, pair.evenHalf)
                store4(q2 + x, pair.oddHalf)
                store4(q0 + x + 1, pair.oddHalf)
                x += lanes / 2
            }
            while x < perRow {
                (q1[x], q3[x - 1]) = (source[2 * x], source[2 * x])
                (q2[x], q0[x + 1]) = (source[2 * x + 1], source[2 * x + 1])
                x += 1
            }
        }
    }

    @inline(__always) static func store4(_ p: UnsafeMutablePointer<Float>, _ v: SIMD4<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }

    /// Planes 0..<outputs of out (H × W, `pixels` floats apart), their tile rows `rows`,
    /// = (or +=) Aᵀ m A of their tiles: m[ξ · positionStride + o · planeStride + l] is position
    /// ξ of plane o's products of the l-th tile from the first row's first (`lanes` floats
    /// readable after the last). Column by column of the 4x4 tile, few vectors live at once;
    /// a run's even and odd output columns are interleaved in registers and stored at once.
    static func output(
        _ out: UnsafeMutablePointer<Float>, pixels: Int, outputs: Int, _ m: UnsafePointer<Float>, planeStride: Int,
        positionStride: Int, _ tiles: Tiles, rows: Range<Int>, add: Bool
    ) {
        for o in 0..<outputs {
            let plane = out + o * pixels, products = m + o * planeStride
            for ty in rows {
                for run in 0..<tiles.runs {
                    let first = run * lanes, t = (ty - rows.lowerBound) * tiles.perRow + first
                    @inline(__always) func column(_ k: Int) -> (V, V) {
                        let p = products + t + k * positionStride, stride = 4 * positionStride
                        return aRows(
                            Vectors.load8(p), Vectors.load8(p + stride), Vectors.load8(p + 2 * stride),
                            Vectors.load8(p + 3 * stride))
                    }
                    let (c0, c1, c2, c3) = (column(0), column(1), column(2), column(3))
                    let top = aRows(c0.0, c1.0, c2.0, c3.0), bottom = aRows(c0.1, c1.1, c2.1, c3.1)
                    let target = plane + 2 * ty * tiles.width + 2 * first, count = min(lanes, tiles.perRow - first)
                    storePairs(target, top.0, top.1, count, add)
                    storePairs(target + tiles.width, bottom.0, bottom.1, count, add)
                }
            }
        }
    }

    /// p[2·i] and p[2·i + 1] ← (or +=) even[i] and odd[i] for i < count.
    @inline(__always)
    static func storePairs(_ p: UnsafeMutablePointer<Float>, _ even: V, _ odd: V, _ count: Int, _ add: Bool) {
        var pairs = Vectors.V16()
        pairs.evenHalf = even
        pairs.oddHalf = odd
        if count == lanes {
            Vectors.store(p, add ? Vectors.load(p) + pairs : pairs)
        } else if count == lanes / 2 {
            Vectors.store8(p, add ? Vectors.load8(p) + pairs.lowHalf : pairs.lowHalf)
        } else {
            // through memory: taking the vector apart lane by lane splits it (see `input`)
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * lanes) { staging in
                let q = staging.baseAddress!
                Vectors.store(q, pairs)
                for lane in 0..<2 * count { p[lane] = add ? p[lane] + q[lane] : q[lane] }
            }
        }
    }
}
