import CPrefetch

/// Vector loads and stores, and loops over short runs of floats (rows and planes of 8 to
/// 1,024), shared by the kernels. Inline: for runs this short a call to memmove or memset
/// costs as much as the work.
enum Vectors {
    /// Asks for the cache lines of p[0..<count] ahead of their loads (see CPrefetch); never
    /// faults. The kernels walk planes of 1-4 KiB that lie far apart (a channel's planes
    /// are a whole image apart), where the hardware prefetchers, which follow a stream
    /// within a 4 KiB page, start each plane with misses: they request the next plane while
    /// the current one is being worked on.
    @inline(__always) static func prefetch(_ p: UnsafePointer<Float>, _ count: Int) {
        var i = 0
        while i < count { repro_prefetch(p + i); i += 16 }
    }

    typealias V16 = SIMD16<Float>
    typealias V8 = SIMD8<Float>

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> V16 {
        UnsafeRawPointer(p).loadUnaligned(as: V16.self)
    }

    @inline(__always) static func store(_ p: UnsafeMutablePointer<Float>, _ v: V16) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V16.self)
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> V8 {
        UnsafeRawPointer(p).loadUnaligned(as: V8.self)
    }

    @inline(__always) static func store8(_ p: UnsafeMutablePointer<Float>, _ v: V8) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V8.self)
    }

    /// target[0..<count] ← source[0..<count] (not overlapping), in whole vectors: the first
    /// and last vectors overlap their neighbours instead of scalar heads and tails, and the
    /// stores between them start on a cache line of the target (a store across two lines
    /// costs two; the shifted planes of `Conv3x3.Grid` are copied one float off the lines).
    @inline(__always)
    static func copy(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ count: Int) {
        if count >= 16 {
            store(target, load(source))
            var i = 16 - Int(bitPattern: UInt(bitPattern: target) % 64) / 4
            while i + 16 < count {
                store(target + i, load(source + i))
                i += 16
            }
            store(target + count - 16, load(source + count - 16))
        } else if count >= 8 {
            store8(target, load8(source))
            store8(target + count - 8, load8(source + count - 8))
        } else if count >= 4 {
            let tail = count - 4
            let head = UnsafeRawPointer(source).loadUnaligned(as: SIMD4<Float>.self)
            let end = UnsafeRawPointer(source + tail).loadUnaligned(as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target).storeBytes(of: head, as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(target + tail).storeBytes(of: end, as: SIMD4<Float>.self)
        } else {
            for i in 0..<count { target[i] = source[i] }
        }
    }

    @inline(__always)
    static func zero(_ target: UnsafeMutablePointer<Float>, _ count: Int) {
        var i = 0
        while i + 8 <= count {
            store8(target + i, V8())
            i += 8
        }
        while i < count { target[i] = 0; i += 1 }
    }

    /// target[i] += source[i].
    @inline(__always)
    static func add(_ target: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>, _ count: Int) {
        var i = 0
        while i + 8 <= count {
            store8(target + i, load8(target + i) + load8(source + i))
            i += 8
        }
        while i < count { target[i] += source[i]; i += 1 }
    }
}
