import COpenBLAS
import Dispatch

/// The engine's only source of parallelism: OpenBLAS always runs on one thread (set
/// explicitly), and the kernels split their work into chunks that a `ComputeContext`
/// hands to its worker threads.
///
/// Determinism contract: the caller decides the chunks from the problem size alone,
/// never from the thread count, and a chunk writes only memory no other chunk touches
/// (partial sums go to per-chunk slots that the caller adds in chunk order). Which
/// worker runs a chunk then cannot change a single bit of the result.
///
/// Kernels share raw buffers across threads through unsafe pointers; that is why the
/// kernel modules compile in Swift 5 language mode, where the compiler does not try to
/// prove this sharing safe. The chunk rule above is what makes it safe.
public enum Parallel {
    /// OpenBLAS starts with one thread per core; pin it to one thread (and to the kernels'
    /// core type) before the first kernel runs: every GEMM is issued from inside a chunk,
    /// so BLAS-level threading would only oversubscribe.
    private static let pinnedBLAS: Void = {
        BLAS.pinCore
        openblas_set_num_threads(1)
    }()

    public static func pinBLAS() { _ = pinnedBLAS }

    /// Runs `body(chunk, worker)` for every chunk in 0..<chunks on `workers` threads
    /// (`ComputeContext.forEach` decides how many). Chunk c goes to worker c mod workers.
    static func run(_ chunks: Int, workers: Int, _ body: (_ chunk: Int, _ worker: Int) -> Void) {
        _ = pinnedBLAS
        if workers <= 1 {
            for chunk in 0..<chunks { body(chunk, 0) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var chunk = worker
            while chunk < chunks {
                body(chunk, worker)
                chunk += workers
            }
        }
    }

    /// The chunk boundaries for splitting `count` items into `chunks` nearly equal ranges.
    public static func range(_ chunk: Int, of chunks: Int, count: Int) -> Range<Int> {
        (chunk * count / chunks)..<((chunk + 1) * count / chunks)
    }
}
