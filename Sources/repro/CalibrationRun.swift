import Foundation
import Support

/// `repro bench --calibrate`: every model the profiles train, benchmarked with
/// `--parallelism` at the smallest settings that give a stable figure (the ResNeXt29
/// 16x64d teacher trains ~1.5 images/s on two threads: 16 images a step, two steps),
/// written to `artifacts/calibration/<machine-kind>.json`.
struct CalibrationRun {
    /// A model, its width, and how long to time it.
    struct Setting {
        let model: String
        var width = 1.0
        let batch, steps, reps: Int
    }

    static let settings = [
        Setting(model: "cifar_resnet56_v1", batch: 64, steps: 3, reps: 3),
        Setting(model: "cifar_resnet110_v1", batch: 64, steps: 2, reps: 3),
        Setting(model: "cifar_resnet20_v1", batch: 64, steps: 4, reps: 3),
        Setting(model: "cifar_resnext29_16x64d", batch: 16, steps: 2, reps: 1),
        Setting(model: "cifar_resnext29_4x16d", batch: 32, steps: 2, reps: 3),
        // the smoke profile's student and teacher (width 0.25)
        Setting(model: "cifar_resnet20_v1", width: 0.25, batch: 32, steps: 4, reps: 3),
        Setting(model: "cifar_resnext29_2x4d", width: 0.25, batch: 32, steps: 4, reps: 3),
    ]

    let threads: Int
    let project: URL

    /// Measures every setting, printing each summary, and writes the file; returns its URL.
    func run(command: String) throws -> URL {
        var entries: [Calibration.Entry] = []
        for setting in Self.settings {
            let result = try Bench(
                model: setting.model, width: setting.width, classes: 100, batch: setting.batch, threads: threads,
                steps: setting.steps, reps: setting.reps, parallelism: true
            ).run()
            print(result.summary)
            entries.append(Self.entry(setting, result))
        }
        let machine = Calibration.Machine.current
        let calibration = Calibration(
            machine: machine, date: String(ISO8601DateFormatter().string(from: Date()).prefix(10)), command: command,
            models: entries)
        let url = Calibration.directory(project: project).appendingPathComponent(machine.kind + ".json")
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(calibration.json, to: url)
        return url
    }

    /// One thread's FLOP/s: the measured rate over the bound for the threads it ran on;
    /// the parallel share s from the 64-thread bound S: 1/S = (1 - s) + s/64.
    static func entry(_ setting: Setting, _ result: BenchResult) -> Calibration.Entry {
        let bounds = result.speedup_bounds ?? [:]
        let measured = bounds[String(result.threads)] ?? 1
        let share = bounds["64"].map { (1 - 1 / $0) / (1 - 1.0 / 64) } ?? TrainingCost.fallbackParallelShare
        let evalSpeedup = 1 / ((1 - share) + share / Double(result.threads))
        return Calibration.Entry(
            model: setting.model, width: setting.width, batch: setting.batch, threads: result.threads,
            trainFlopsPerThread: result.gflops * 1e9 / measured,
            evalFlopsPerThread: result.eval_gflops * 1e9 / evalSpeedup, parallelShare: share,
            speedupBounds: bounds)
    }
}
