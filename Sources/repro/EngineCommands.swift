import ArgumentParser
import Foundation
import NN
import Parity
import Ranks
import Tensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time training and evaluation steps of a model on synthetic data.")
    @Option(help: "Model name, e.g. cifar_resnet56_v1.") var model: String = "cifar_resnet56_v1"
    @Option(help: "Batch size.") var batch: Int = 128
    @Option(
        help: "Devices the batch is split over, each part with its own batch statistics (memory scales with the part).")
    var devices: Int = 1
    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Timed training steps (per repetition), then as many evaluation steps.") var steps: Int = 10
    @Option(help: "Untimed steps before the timed ones (training, then evaluation).") var warmup: Int = 1
    @Option(help: "Repetitions of the timed steps; the median is reported (the PyTorch peer's protocol).")
    var reps: Int = 1
    @Option(help: "Classes of the classifier.") var classes: Int = 100
    @Flag(help: "Print a JSON object as the last line.") var json = false
    @Flag(
        help:
            ArgumentHelp(
                "Time the parallel regions: per kind its chunk count and share of the step, and Amdahl's bound "
                    + "for 8-64 threads.")
    )
    var parallelism = false
    @Flag(help: "Measure HDF5 + Zstandard write and read throughput (100 MB float32) instead of training.")
    var storage = false
    @Flag(
        help:
            ArgumentHelp(
                "Measure every model the profiles train (with --threads) and write "
                    + "artifacts/calibration/<machine-kind>.json, which the stages' time estimates read.")
    )
    var calibrate = false

    func run() throws {
        if storage {
            let result = try StorageBench.run()
            print(result.summary)
            if json { print(result.json) }
            return
        }
        if calibrate {
            guard threads > 0 else { throw Failure.badInput("bench: --threads must be positive") }
            let project = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let url = try CalibrationRun(threads: threads, project: project).run(
                command: "repro bench --calibrate --threads \(threads)")
            print("wrote \(url.path)")
            return
        }
        guard batch > 0, threads > 0, steps > 0, reps > 0, classes > 0, devices > 0, warmup >= 0 else {
            throw Failure.badInput(
                "bench: --batch, --devices, --threads, --steps, --reps and --classes must be positive, --warmup not "
                    + "negative"
            )
        }
        guard batch % devices == 0 else {
            throw Failure.badInput(
                "bench: --batch \(batch) does not split into \(devices) equal parts; choose --devices dividing it")
        }
        // An unknown model is bad input (exit 2), a non-finite loss a failure (NNError.isBadInput).
        let result = try Bench(
            model: model, classes: classes, batch: batch, devices: devices, threads: threads, steps: steps,
            warmupSteps: warmup, reps: reps, parallelism: parallelism
        ).run()
        // under mpirun, rank 0 speaks for all; every rank finalizes, or mpirun reports it ended improperly
        let world = MPIWorld.launched
        defer { world?.finish() }
        guard (world?.rank ?? 0) == 0 else { return }
        print(result.summary)
        if let table = result.parallelism { print(table) }
        if json { print(result.json) }
    }
}

struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity", abstract: "Check the engine against reference vectors (golden/README.md).")
    @Argument(help: "A golden HDF5 file.") var file: String
    @Option(help: "Largest relative error allowed (relmax); default per golden/README.md.") var tolerance: Double?
    @Option(help: "Worker threads.") var threads: Int = 2

    func run() throws {
        if let tolerance, !(tolerance > 0) { throw Failure.badInput("parity: --tolerance must be positive") }
        // A file that cannot be checked throws ParityError: bad input (exit 2).
        let report = try Parity.check(URL(fileURLWithPath: file), tolerance: tolerance, threads: threads)
        print(report.text, terminator: "")
        if !report.passed {
            throw Failure.failed("parity: \(report.failures.count) tensor(s) of \(report.file) above tolerance")
        }
    }
}
