import Crypto
import Foundation
import NN
import Ranks
import Support
import Tensor

/// `repro bench`: training and evaluation throughput of a model on deterministic
/// synthetic data (inputs N(0, 1), uniform labels), NAG at a constant rate.
///
/// After `warmupSteps` untimed steps, `reps` repetitions of `steps` steps are timed, each
/// giving one images/s figure, and the median is reported: the PyTorch peer's protocol
/// (`bench_torch.py --warmup --steps --reps`), so the two are compared with one estimator.
struct Bench {
    var model: String
    var width = 1.0
    var classes: Int
    var batch: Int
    var devices = 1
    var threads: Int
    var steps: Int
    var warmupSteps = 1
    var reps = 1
    /// Time the parallel regions of the timed steps (`ParallelismReport`).
    var parallelism = false

    func run() throws -> BenchResult {
        let net = try Model(name: model, classes: classes, widthMultiplier: width, seed: 0)
        net.context.threads = threads
        var stream = RandomStream(seed: 0, purpose: "bench-data")
        let x = (0..<batch * 3 * 32 * 32).map { _ in Float(stream.normal()) }
        let labels = (0..<batch).map { _ in stream.below(classes) }
        // Under mpirun the ranks share the `devices` parts (`DataParallel`), as a training
        // does, each keeping the optimizer's state of its slice alone.
        let world = MPIWorld.launched
        let parallel = DataParallel(devices: devices, collective: world ?? SingleProcess())
        let sgd = SGD(
            parameters: net.parameters, momentum: 0.9, nesterov: true,
            weightDecay: WeightDecay(rate: 1e-4, kinds: net.parameterKinds), slice: parallel.parameterSlice(of: net))
        let mine = PartTree.block(rank: parallel.collective.rank, ranks: parallel.collective.size, parts: devices)
        var loss: Float = 0
        func trainStep(_ step: Int) throws {
            let update = { (range: Range<Int>) in
                sgd.step(parameters: net.parameters, gradients: net.gradients, learningRate: 0.05, range: range)
            }
            let result = x.withUnsafeBufferPointer { images in
                parallel.step(net, images.baseAddress!, batch: batch, update: update) { range, logits in
                    SoftmaxCrossEntropy.loss(logits: logits, labels: Array(labels[range]), classes: classes)
                }
            }
            guard result.loss.isFinite else { throw NNError.nonFiniteLoss(step: step, value: result.loss) }
            loss = result.loss
        }
        // evaluation goes by the same parts, so its memory scales with them too (a rank: its own)
        let part = batch / devices
        func evaluate() {
            x.withUnsafeBufferPointer { images in
                for p in mine {
                    _ = net.forward(images.baseAddress! + p * part * 3 * 32 * 32, batch: part, training: false)
                }
            }
        }
        for step in 0..<warmupSteps { try trainStep(step + 1) }
        // before the timed steps and after them, the better of the two: a busy moment on a
        // shared machine then lowers neither figure below what the other one saw
        let peakBefore = PeakFMA.measure(threads: threads)
        let profile = parallelism ? ParallelProfile(threads: threads) : nil
        net.context.profile = profile
        var step = warmupSteps
        world?.resetCounters()
        let trainSeconds = try (0..<reps).map { _ in
            try seconds { for _ in 0..<steps { step += 1; try trainStep(step) } }
        }
        let communication = world.map { Communication($0, steps: reps * steps, seconds: trainSeconds.reduce(0, +)) }
        net.context.profile = nil
        for _ in 0..<warmupSteps { evaluate() }
        let evalSeconds = (0..<reps).map { _ in seconds { for _ in 0..<steps { evaluate() } } }

        let images = Double(batch * steps)
        let trainRates = trainSeconds.map { images / $0 }, evalRates = evalSeconds.map { images / $0 }
        let flops = 2 * Double(net.forwardMACs())
        let executed = 2 * Double(net.executedMACs(training: true)),
            executedEval = 2 * Double(net.executedMACs(training: false))
        let (train, eval) = (Self.median(trainRates), Self.median(evalRates))
        // under mpirun every rank measures its own threads at the same moment: the launch's peak is their sum
        let peak = Self.sum(max(peakBefore, PeakFMA.measure(threads: threads)) / 1e9, over: parallel.collective)
        return BenchResult(
            model: model, batch: batch, threads: threads, steps: steps, warmup: warmupSteps, reps: reps,
            params: net.parameterCount,
            images_per_sec: train, eval_images_per_sec: eval, train_reps: trainRates, eval_reps: evalRates,
            gflops: 3 * flops * train / 1e9, eval_gflops: flops * eval / 1e9,
            executed_gflops: executed * train / 1e9, eval_executed_gflops: executedEval * eval / 1e9,
            peak_gflops: peak,
            peak_rss_mb: peakResidentMegabytes(), final_loss: Double(loss),
            params_sha256: parameterDigest(net.parameters), environment: NumericEnvironment.current.description,
            kernels: NumericEnvironment.compiledISA,
            parallelism: profile.map { ParallelismReport(profile: $0, timedSeconds: trainSeconds.reduce(0, +)).text },
            speedup_bounds: profile.map {
                ParallelismReport(profile: $0, timedSeconds: trainSeconds.reduce(0, +)).bounds(including: threads)
            }, ranks: communication?.ranks, sent_mb_per_step: communication?.sentMegabytesPerStep,
            wait_share: communication?.waitShare)
    }

    /// `value` added over the ranks in rank order (itself on one process).
    static func sum(_ value: Double, over collective: Collective) -> Double {
        guard collective.size > 1 else { return value }
        let everyone = [Int](repeating: 1, count: collective.size)
        let values = collective.exchange(everyone.map { _ in [Float(value)] }, incoming: everyone)
        return values.reduce(0) { $0 + Double($1[0]) }
    }

    /// The middle value, or the mean of the two middle ones (as the peer computes it).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    private func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// What a rank's training steps cost in messages (`MPIWorld`'s counters).
struct Communication {
    let ranks: Int
    let sentMegabytesPerStep, waitShare: Double

    init(_ world: MPIWorld, steps: Int, seconds: Double) {
        ranks = world.size
        sentMegabytesPerStep = Double(world.bytesSent) / 1e6 / Double(max(1, steps))
        waitShare = world.secondsWaiting / max(seconds, 1e-9)
    }
}

/// SHA-256 of every parameter, views sorted by name, little-endian float32.
func parameterDigest(_ parameters: Arena) -> String {
    var hasher = SHA256()
    for view in parameters.views.sorted(by: { $0.name < $1.name }) {
        let bytes = UnsafeRawBufferPointer(start: parameters.pointer(view), count: view.count * 4)
        hasher.update(bufferPointer: bytes)  // x86-64 and arm64 are little-endian
    }
    return FileDigest.hex(hasher.finalize())
}

/// The process's peak resident set (VmHWM), in MiB.
func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kilobytes / 1024
}

struct BenchResult: Encodable {
    var model: String
    var batch, threads, steps, warmup, reps, params: Int
    /// The medians over the repetitions; `train_reps` and `eval_reps` hold each one's figure.
    var images_per_sec, eval_images_per_sec: Double
    var train_reps, eval_reps: [Double]
    /// Dense-equivalent GFLOP/s (2 × the direct convolutions' multiply-adds, a training step
    /// 3 × the forward), the peers' convention.
    var gflops, eval_gflops: Double
    /// What the kernels execute (`Model.executedMACs`): below the dense count where a kernel
    /// does fewer multiplies.
    var executed_gflops, eval_executed_gflops: Double
    /// This machine's FMA peak for `threads` threads, measured (`PeakFMA`); under mpirun the
    /// sum of the ranks' (the rates above are the launch's, all ranks together).
    var peak_gflops: Double
    var peak_rss_mb, final_loss: Double
    var params_sha256: String
    var environment: String
    /// The ISA this binary's kernels were compiled for: the speed depends on it, the bits do not.
    var kernels: String
    /// `--parallelism`: the table of parallel regions and speed-up bounds.
    var parallelism: String?
    /// `--parallelism`: Amdahl's bound by thread count (the measured count and 8–64).
    var speedup_bounds: [String: Double]?
    /// Under mpirun (rank 0's view): the ranks, the MB this rank sent per training step and
    /// the share of the timed training it spent waiting for messages.
    var ranks: Int?
    var sent_mb_per_step, wait_share: Double?

    var summary: String {
        // with repetitions, each median followed by the range it came from
        func spread(_ rates: [Double]) -> String {
            reps > 1 ? String(format: " [%.1f–%.1f]", rates.min()!, rates.max()!) : ""
        }
        let timing = reps > 1 ? String(format: ", median of %d reps of %d steps", reps, steps) : ""
        return String(
            format:
                "%@ batch %d, %d threads, %d params: train %.1f img/s%@ (%.1f GFLOP/s), eval %.1f img/s%@, peak RSS "
                + "%.0f MiB, loss %.4f, kernels %@%@\n%@",
            model, batch, threads, params, images_per_sec, spread(train_reps), gflops,
            eval_images_per_sec, spread(eval_reps), peak_rss_mb, final_loss, kernels, timing, peakShare)
    }

    /// The share of the measured FMA peak, dense-equivalent and executed.
    var peakShare: String {
        func share(_ gflops: Double) -> Double { 100 * gflops / max(peak_gflops, 1e-9) }
        return String(
            format:
                "FMA peak %.1f GFLOP/s (%@, measured): train %.1f %% dense-equivalent, %.1f %% executed "
                + "(%.1f GFLOP/s); eval %.1f %%, %.1f %% executed%@",
            peak_gflops, workers, share(gflops), share(executed_gflops), executed_gflops, share(eval_gflops),
            share(eval_executed_gflops), messages)
    }

    private var workers: String { ranks.map { "\($0) ranks × \(threads) threads" } ?? "\(threads) threads" }

    /// Under mpirun: what rank 0 sent and how long it waited.
    private var messages: String {
        guard let ranks, let sent_mb_per_step, let wait_share else { return "" }
        return String(
            format: "\n%d ranks: rank 0 sent %.2f MB a training step, waited %.1f %% of the timed training", ranks,
            sent_mb_per_step, 100 * wait_share)
    }

    /// Empty when a figure is not finite (a diverged loss): Foundation's spelling refuses it.
    var json: String { (try? JSONValue(encoding: self).text(.foundation)) ?? "" }
}
