/// A matrix product of our own for `Conv2D`: C (rows × ≤ width) = or += A · panel, where
/// the panel holds `width` columns of B packed contiguously (depth × width floats) and A is read
/// through two strides (A(i, l) = a[i · rowStride + l · step]), so the same kernel takes
/// W, Wᵀ or an output gradient without copying them.
///
/// Every element of C is one FMA chain over l = 0, 1, … from zero, then stored or added
/// to C: its bits depend on nothing but A's row and B's column. Tiles of any size, blocks
/// of rows or columns, thread counts and AVX2 or AVX-512 registers all give the same
/// bits, which is what lets the weight gradient split over blocks of its own rows (each
/// owning them) where OpenBLAS gives other bits for a subset of rows.
enum PanelProduct {
    typealias V = Vectors.V16
    /// Columns per panel: 64 for the 4-vector tiles, 16 for AVX2's 1-vector ones, whose
    /// panel is then read contiguously rather than a quarter of each row at a time. Read
    /// once per call: a panel is packed and multiplied at the same width.
    static var width: Int { Conv3x3.wideRegisters ? 64 : 16 }

    /// panel[r][j] ← source[r · stride + j] for j < columns (≤ width), zero beyond: `rows`
    /// rows of a row-major matrix, from its column `source` points at.
    static func pack(
        _ panel: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, rows: Int, stride: Int,
        columns: Int
    ) {
        let width = Self.width
        for r in 0..<rows {
            let target = panel + r * width
            if columns < width { Vectors.zero(target, width) }
            Vectors.copy(target, source + r * stride, columns)
        }
    }

    /// panel[r][j] ← source[j · stride + r] for r in `rows`, j < columns (≤ width), zero beyond:
    /// rows of the transpose of `columns` rows of the source.
    static func packTransposed(
        _ panel: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, rows: Range<Int>,
        stride: Int, columns: Int
    ) {
        let width = Self.width
        if columns < width { Vectors.zero(panel + rows.lowerBound * width, rows.count * width) }
        for j in 0..<columns {
            let column = source + j * stride
            for r in rows { panel[r * width + j] = column[r] }
        }
    }

    /// C[i][j] ← (or +=) Σ_l A(i, l) · panel[l][j] for i < rows, j < columns (≤ width); C's rows
    /// are `ldc` floats apart. The sum may run over `segments` pairs of A and panel, each
    /// `depth` deep, the next A `a.segment` and the next panel `panelSegment` floats further
    /// (the weight gradient's images, one chain). Tiles of 6 rows × 4 vectors where 32
    /// registers hold them (`Conv3x3.wideRegisters`), else 6 rows × 1 vector; the last rows
    /// four or one at a time.
    static func multiply(
        _ c: UnsafeMutablePointer<Float>, ldc: Int, _ a: Operand, depth: Int,
        _ panel: UnsafePointer<Float>, panelSegment: Int = 0, segments: Int = 1,
        rows: Int, columns: Int, add: Bool
    ) {
        let vectors = (columns + 15) / 16, wide = Conv3x3.wideRegisters && vectors > 1, width = Self.width
        func run<Tile: PanelTile>(_ tile: Tile, rows first: Int, vector v: Int) {
            var tile = tile
            var rowA = a.pointer + first * a.rowStride, b = panel + v * 16
            for _ in 0..<segments {
                tile.run(rowA, a.rowStride, a.step, depth, b, width)
                rowA += a.segment
                b += panelSegment
            }
            tile.store(c + first * ldc + v * 16, ldc, columns - v * 16, add)
        }
        var i = 0
        while i + 6 <= rows {
            if wide {
                run(Rows6x4(), rows: i, vector: 0)
            } else {
                for v in 0..<vectors { run(Rows6x1(), rows: i, vector: v) }
            }
            i += 6
        }
        while i + 4 <= rows {
            if wide {
                run(Rows4x4(), rows: i, vector: 0)
            } else {
                for v in 0..<vectors { run(Rows4x1(), rows: i, vector: v) }
            }
            i += 4
        }
        while i < rows {
            for v in 0..<vectors { run(Row1x1(), rows: i, vector: v) }
            i += 1
        }
    }

    /// A(i, l) = pointer[i · rowStride + l · step]; the next segment's A is `segment` further.
    struct Operand {
        var pointer: UnsafePointer<Float>
        var rowStride: Int
        var step: Int
        var segment = 0
    }

    /// p[0..<count] ← (or +=) v's first `count` lanes (all 16 when count ≥ 16).
    @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ v: V, _ count: Int, _ add: Bool) {
        if count >= 16 {
            Vectors.store(p, add ? Vectors.load(p) + v : v)
        } else {
            for lane in 0..<max(0, count) { p[lane] = add ? p[lane] + v[lane] : v[lane] }
        }
    }
}

/// A register tile of `PanelProduct`: a few rows of A times a few vectors of the panel.
protocol PanelTile {
    /// Adds A(0..<rows, l) times the panel vectors at b: rows 0, 1, 2 at a, a + rowStride,
    /// a + 2 · rowStride, rows 3, 4, 5 the same from a3 = a + 3 · rowStride. (Two pointers
    /// that step on their own: otherwise the compiler reaches the rows through one chain of
    /// adds, which on AVX2 is as long as the step's FMAs.)
    mutating func add(
        _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafePointer<Float>)
    /// Writes (or adds) the sums to rows `ldc` floats apart, their first `columns` floats.
    func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ columns: Int, _ add: Bool)
}

extension PanelTile {
    /// Accumulates l = 0..<depth in order: A steps by `step`, the panel by a row (`width` floats).
    @inline(__always)
    mutating func run(
        _ a: UnsafePointer<Float>, _ rowStride: Int, _ step: Int, _ depth: Int, _ panel: UnsafePointer<Float>,
        _ width: Int
    ) {
        var a = a, a3 = a + 3 * rowStride, b = panel
        for _ in 0..<depth {
            add(a, a3, rowStride, b)
            a += step
            a3 += step
            b += width
        }
    }
}

extension PanelProduct {
    /// 6 rows × 4 vectors: 24 accumulators; per step 4 loads, 6 broadcasts, 24 FMAs. The
    /// panel comes from L2 when it is deep: more rows per load of it.
    struct Rows6x4: PanelTile {
        var r0 = Rows4x4(), a40 = V(), a41 = V(), a42 = V(), a43 = V(), a50 = V(), a51 = V(), a52 = V(), a53 = V()

        @inline(__always)
        mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafePointer<Float>
        ) {
            let x0 = Vectors.load(b), x1 = Vectors.load(b + 16), x2 = Vectors.load(b + 32), x3 = Vectors.load(b + 48)
            r0.add(a, a3, rowStride, x0, x1, x2, x3)
            var k = V(repeating: a3[rowStride])
            a40.addProduct(k, x0); a41.addProduct(k, x1); a42.addProduct(k, x2); a43.addProduct(k, x3)
            k = V(repeating: a3[2 * rowStride])
            a50.addProduct(k, x0); a51.addProduct(k, x1); a52.addProduct(k, x2); a53.addProduct(k, x3)
        }

        @inline(__always) func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ columns: Int, _ add: Bool) {
            r0.store(c, ldc, columns, add)
            Rows4x4.store(c + 4 * ldc, a40, a41, a42, a43, columns, add)
            Rows4x4.store(c + 5 * ldc, a50, a51, a52, a53, columns, add)
        }
    }

    /// 4 rows × 4 vectors: 16 accumulators; per step 4 loads, 4 broadcasts, 16 FMAs.
    struct Rows4x4: PanelTile {
        var a00 = V(), a01 = V(), a02 = V(), a03 = V(), a10 = V(), a11 = V(), a12 = V(), a13 = V()
        var a20 = V(), a21 = V(), a22 = V(), a23 = V(), a30 = V(), a31 = V(), a32 = V(), a33 = V()

        @inline(__always)
        mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafePointer<Float>
        ) {
            add(a, a3, rowStride, Vectors.load(b), Vectors.load(b + 16), Vectors.load(b + 32), Vectors.load(b + 48))
        }

        @inline(__always)
        mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ x0: V, _ x1: V, _ x2: V, _ x3: V
        ) {
            var k = V(repeating: a[0])
            a00.addProduct(k, x0); a01.addProduct(k, x1); a02.addProduct(k, x2); a03.addProduct(k, x3)
            k = V(repeating: a[rowStride])
            a10.addProduct(k, x0); a11.addProduct(k, x1); a12.addProduct(k, x2); a13.addProduct(k, x3)
            k = V(repeating: a[2 * rowStride])
            a20.addProduct(k, x0); a21.addProduct(k, x1); a22.addProduct(k, x2); a23.addProduct(k, x3)
            k = V(repeating: a3[0])
            a30.addProduct(k, x0); a31.addProduct(k, x1); a32.addProduct(k, x2); a33.addProduct(k, x3)
        }

        @inline(__always) func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ columns: Int, _ add: Bool) {
            Self.store(c, a00, a01, a02, a03, columns, add)
            Self.store(c + ldc, a10, a11, a12, a13, columns, add)
            Self.store(c + 2 * ldc, a20, a21, a22, a23, columns, add)
            Self.store(c + 3 * ldc, a30, a31, a32, a33, columns, add)
        }

        @inline(__always)
        static func store(
            _ p: UnsafeMutablePointer<Float>, _ v0: V, _ v1: V, _ v2: V, _ v3: V, _ columns: Int, _ add: Bool
        ) {
            PanelProduct.store(p, v0, columns, add); PanelProduct.store(p + 16, v1, columns - 16, add)
            PanelProduct.store(p + 32, v2, columns - 32, add); PanelProduct.store(p + 48, v3, columns - 48, add)
        }
    }

    /// 6 rows × 1 vector: AVX2's tile (12 of its 16 registers).
    struct Rows6x1: PanelTile {
        var r0 = Rows4x1(), a4 = V(), a5 = V()

        @inline(__always)
        mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafePointer<Float>
        ) {
            let x = Vectors.load(b)
            r0.add(a, a3, rowStride, x)
            a4.addProduct(V(repeating: a3[rowStride]), x); a5.addProduct(V(repeating: a3[2 * rowStride]), x)
        }

        @inline(__always) func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ columns: Int, _ add: Bool) {
            r0.store(c, ldc, columns, add)
            PanelProduct.store(c + 4 * ldc, a4, columns, add); PanelProduct.store(c + 5 * ldc, a5, columns, add)
        }
    }

    /// 4 rows × 1 vector: the last rows of AVX2's tiles.
    struct Rows4x1: PanelTile {
        var s0 = V(), s1 = V(), s2 = V(), s3 = V()

        @inline(__always)
        mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafePointer<Float>
        ) {
            add(a, a3, rowStride, Vectors.load(b))
        }

        @inline(__always) mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ x: V
        ) {
            s0.addProduct(V(repeating: a[0]), x); s1.addProduct(V(repeating: a[rowStride]), x)
            s2.addProduct(V(repeating: a[2 * rowStride]), x); s3.addProduct(V(repeating: a3[0]), x)
        }

        @inline(__always) func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ columns: Int, _ add: Bool) {
            PanelProduct.store(c, s0, columns, add); PanelProduct.store(c + ldc, s1, columns, add)
            PanelProduct.store(c + 2 * ldc, s2, columns, add); PanelProduct.store(c + 3 * ldc, s3, columns, add)
        }
    }

    /// 1 row × 1 vector, for the rows after the last four.
    struct Row1x1: PanelTile {
        var a0 = V()

        @inline(__always)
        mutating func add(
            _ a: UnsafePointer<Float>, _ a3: UnsafePointer<Float>, _ rowStride: Int, _ b: UnsafePointer<Float>
        ) {
            a0.addProduct(V(repeating: a[0]), Vectors.load(b))
        }

        @inline(__always) func store(_ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ columns: Int, _ add: Bool) {
            PanelProduct.store(c, a0, columns, add)
        }
    }
}
