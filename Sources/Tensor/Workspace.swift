/// Scratch memory shared by all layers (they run one after another), one region per
/// (slot, worker). It only grows, so after the first training step nothing is allocated.
///
/// Call `reserve` on the calling thread before a parallel region, then `pointer`
/// inside it.
public enum Workspace {
    nonisolated(unsafe) private static var buffers: [[FloatBuffer]] = []

    /// Makes `pointer(slot, worker)` valid for `count` floats for every worker < `workers`.
    public static func reserve(slot: Int, count: Int, workers: Int = Parallel.threads) {
        while buffers.count <= slot { buffers.append([]) }
        for worker in 0..<workers {
            if worker < buffers[slot].count {
                if buffers[slot][worker].count < count { buffers[slot][worker] = FloatBuffer(count: count) }
            } else {
                buffers[slot].append(FloatBuffer(count: count))
            }
        }
    }

    public static func pointer(_ slot: Int, _ worker: Int) -> UnsafeMutablePointer<Float> {
        buffers[slot][worker].pointer
    }

    /// Drops all scratch memory (tests and benchmarks that switch models call this).
    public static func release() { buffers = [] }
}
