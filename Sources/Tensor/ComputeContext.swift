import COpenBLAS
import Dispatch

/// What one model computes with: its worker-thread count and its scratch memory. Each
/// model (and so each training run) owns one and passes it to the kernels, so several
/// runs train in one process at once, each with the thread share the runner gives it,
/// and none can touch another's scratch. Results never depend on `threads` (see
/// `Parallel`): any share gives the same bits.
///
/// Scratch is one region per (slot, worker), shared by the layers of the model (they
/// run one after another). It only grows, so after the first step nothing is allocated.
/// Call `reserve` on the calling thread before a parallel region, `pointer` inside it.
/// A context is used by one run at a time (its own thread and the workers it starts).
public final class ComputeContext: @unchecked Sendable {
    /// Worker threads for `forEach`; at least 1.
    public var threads: Int {
        didSet { threads = max(1, threads) }
    }
    private var buffers: [[FloatBuffer]] = Array(repeating: [], count: WorkspaceSlot.allCases.count)
    /// When set, every parallel region is timed into it (`repro bench --parallelism`).
    public var profile: ParallelProfile?

    public init(threads: Int = 1) {
        self.threads = max(1, threads)
        Parallel.pinBLAS()
    }

    /// Runs `body(chunk, worker)` for every chunk in 0..<chunks on up to `threads`
    /// workers. Chunk c goes to worker c mod workers; `worker` indexes per-worker scratch.
    /// `kind` names the region for `profile`; `splittable`, for work whose chunks follow the
    /// thread count without changing a bit, is how many chunks it would make for 64 threads.
    public func forEach(
        _ chunks: Int, kind: ParallelProfile.Kind, splittable: Int? = nil,
        _ body: (_ chunk: Int, _ worker: Int) -> Void
    ) {
        guard let profile else { return Parallel.run(chunks, workers: min(threads, chunks), body) }
        let start = DispatchTime.now().uptimeNanoseconds
        Parallel.run(chunks, workers: min(threads, chunks), body)
        profile.record(
            kind, chunks: splittable ?? chunks, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Makes `pointer(slot, worker)` valid for `count` floats for every worker < `workers`
    /// (default: one per thread).
    public func reserve(_ slot: WorkspaceSlot, count: Int, workers: Int? = nil) {
        let needed = workers ?? threads
        for worker in 0..<needed {
            if worker < buffers[slot.rawValue].count {
                if buffers[slot.rawValue][worker].count < count {
                    buffers[slot.rawValue][worker] = FloatBuffer(count: count)
                }
            } else {
                buffers[slot.rawValue].append(FloatBuffer(count: count))
            }
        }
    }

    public func pointer(_ slot: WorkspaceSlot, _ worker: Int) -> UnsafeMutablePointer<Float> {
        buffers[slot.rawValue][worker].pointer
    }

    /// Drops all scratch memory (a benchmark that switches batch sizes calls this).
    public func release() {
        buffers = Array(repeating: [], count: WorkspaceSlot.allCases.count)
    }
}

/// Every scratch region the kernels use, declared in one place so no two kernels can
/// pick the same one by accident.
public enum WorkspaceSlot: Int, CaseIterable, Sendable {
    /// Conv2D: an image's im2col patch matrix (one group); in the weight gradient, those of
    /// a group of images.
    case patches
    /// Conv2D input gradient: the gradient of an image's patch matrix.
    case patchGradient
    /// Conv3x3 backward: a weight block's sums over one image range.
    case weightPartials
    /// Conv3x3: the packed weights (forward) and the flipped, transposed ones (input gradient).
    case packedWeights
    case flippedWeights
    /// Conv3x3: the three shifted copies of each input plane.
    case shiftedInput
    /// Conv3x3 backward: the shifted output gradient of an image (input gradient), of a
    /// weight block's output channels for a group of images (weight gradient).
    case shiftedGradient
    /// Conv3x3: output rows that are no whole number of vectors, before they are copied out.
    case rowScratch
    /// BatchNorm: each plane's two sums, then each channel's two coefficients.
    case planeSums
    /// Conv2D: a panel of columns of a patch matrix or an output gradient, for `PanelProduct`.
    case panel
    /// Conv2D weight gradient: a group of images' patch matrices, transposed into panels.
    case transposedInput
    /// Conv2D input gradient: the weights transposed (patch × outputs, per group).
    case transposedWeights
    /// Winograd3x3: the transformed filters (16 positions × outputs × inputs per group).
    case winogradFilters
    /// Winograd3x3: a block's transformed input tiles (one group), in panels.
    case winogradInput
    /// Winograd3x3: the 16 products of a block's tiles (one group's output channels of a part).
    case winogradProducts
    /// Winograd3x3: a group's input planes of one image, each padded by a border of zeros.
    case winogradPlane
}
