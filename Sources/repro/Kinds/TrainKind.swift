import Dataset
import Foundation
import NN
import Pipeline
import Tensor
import Training

/// `kind: train`: one training run of RECIPE.md. Depends on the dataset stage (and on the
/// teacher's train stage for distillation). Outputs: `checkpoint` (HDF5, DESIGN.md layout),
/// `history` (per-epoch JSON), `timing` (seconds per epoch; volatile). Resumes from
/// `artifacts/work/` after a crash and ends with the bytes of an uninterrupted run.
struct TrainKind: StageKind {
    let name = "train"
    let version = 3

    var parameters: [Parameter] {
        [
            Parameter("model", .string, default: .string("cifar_resnet56_v1"), doc: "cifar_resnet{20,56,110}_v1 or cifar_resnext29_{C}x{W}d"),
            Parameter("width", .float, default: .float(1), doc: "channel-width multiplier (tiny models for smoke runs)"),
            Parameter("dataset", .string, default: .string("cifar100"), doc: "the dataset stage (a dependency)"),
            Parameter("epochs", .int, default: .int(120), doc: "training epochs"),
            Parameter("epoch_scale", .float, default: .float(1), doc: "shortens the schedule: epochs, warm-up, decay epochs and mixing-off epochs are multiplied by it (rounded, at least 1)"),
            Parameter("batch_size", .int, default: .int(256), doc: "images per update; the last incomplete batch is dropped"),
            Parameter("eval_batch_size", .int, default: .int(500), doc: "images per evaluation batch (does not change results)"),
            Parameter("seed", .int, default: .int(0), doc: "seed of every random draw (init, shuffle, augmentation, mixing)"),
            Parameter("optimizer", .string, default: .string("nag"), doc: "nag, sgd, adam, nadam, adadelta or rmsprop"),
            Parameter("lr", .float, default: .float(0.1), doc: "base learning rate"),
            Parameter("momentum", .float, default: .float(0.9), doc: "momentum of nag/sgd"),
            Parameter("wd", .float, default: .float(1e-4), doc: "coupled L2 weight decay"),
            Parameter("no_bias_decay", .bool, default: .bool(false), doc: "exempt biases and BN parameters from decay"),
            Parameter("schedule", .string, default: .string("step"), doc: "step, poly or cosine (per iteration)"),
            Parameter("warmup_epochs", .int, default: .int(0), doc: "linear warm-up epochs"),
            Parameter("decay_epochs", .list(.int), default: .list([.int(30), .int(60), .int(90)]), doc: "step schedule: epochs where the rate drops"),
            Parameter("decay_factor", .float, default: .float(0.1), doc: "step schedule: factor per drop"),
            Parameter("poly_power", .float, default: .float(2), doc: "poly schedule: power"),
            Parameter("label_smoothing", .float, default: .float(0), doc: "ε of label smoothing (GluonCV ε/K form)"),
            Parameter("mixup", .string, default: .string("none"), doc: "none, interpolation, stitch-horizontal or stitch-vertical"),
            Parameter("mixup_alpha", .float, default: .float(0.2), doc: "λ ~ Beta(α, α), one per batch"),
            Parameter("mixup_exact_fraction", .bool, default: .bool(false), doc: "stitching: weight labels by P/32 instead of λ"),
            Parameter("mixup_off_first", .int, default: .int(0), doc: "no mixing in the first k epochs"),
            Parameter("mixup_off_last", .int, default: .int(0), doc: "no mixing in the last k epochs"),
            Parameter("teacher", .string, default: .string(""), doc: "train stage of the distillation teacher (a dependency); empty: no distillation"),
            Parameter("temperature", .float, default: .float(20), doc: "distillation temperature T"),
            Parameter("hard_weight", .float, default: .float(0.5), doc: "distillation weight of the hard-label term"),
            Parameter("augment", .bool, default: .bool(true), doc: "flip, colour jitter, PCA lighting, pad+crop"),
            Parameter("mxnet_saturation_bug", .bool, default: .bool(false), doc: "emulate MXNet's saturation kernel bug"),
            Parameter("bn_running_var", .string, default: .string("biased"), doc: "BN running variance: biased (GluonCV) or unbiased (PyTorch)"),
        ]
    }

    func validate(_ p: ResolvedParameters) -> String? {
        if (try? Architecture(name: p.string("model"))) == nil {
            return "unknown model '\(p.string("model"))'; known: \(Architecture.knownNames.joined(separator: ", ")), cifar_resnext29_{C}x{W}d"
        }
        if TrainingConfig.OptimizerKind(rawValue: p.string("optimizer")) == nil {
            return "unknown optimizer '\(p.string("optimizer"))'; known: \(TrainingConfig.OptimizerKind.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        if TrainingConfig.ScheduleKind(rawValue: p.string("schedule")) == nil {
            return "unknown schedule '\(p.string("schedule"))'; known: \(TrainingConfig.ScheduleKind.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        if MixingConfig.Kind(rawValue: p.string("mixup")) == nil {
            return "unknown mixup '\(p.string("mixup"))'; known: \(MixingConfig.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        if !["biased", "unbiased"].contains(p.string("bn_running_var")) { return "bn_running_var is biased or unbiased" }
        if p.int("epochs") < 1 || p.int("batch_size") < 1 || p.int("eval_batch_size") < 1 { return "epochs and batch sizes must be positive" }
        if p.double("epoch_scale") <= 0 { return "epoch_scale must be positive" }
        if p.int("seed") < 0 { return "seed must be zero or positive" }
        if p.double("width") <= 0 { return "width must be positive" }
        if p.double("mixup_alpha") <= 0 { return "mixup_alpha must be positive" }
        if p.int("mixup_off_first") < 0 || p.int("mixup_off_last") < 0 { return "mixup_off_first and mixup_off_last must be zero or positive" }
        if p.double("temperature") <= 0 { return "temperature must be positive" }
        if !(0...1).contains(p.double("hard_weight")) { return "hard_weight must lie in [0, 1]" }
        if p.double("lr") < 0 || p.double("wd") < 0 || p.double("momentum") < 0 { return "lr, wd and momentum must be zero or positive" }
        let config = TrainKind.config(p)
        if config.warmupEpochs >= config.epochs {
            return "warmup_epochs (\(config.warmupEpochs) after epoch_scale) must be smaller than epochs (\(config.epochs))"
        }
        return nil
    }

    static func config(_ p: ResolvedParameters) -> TrainingConfig {
        var c = TrainingConfig()
        c.model = p.string("model")
        c.widthMultiplier = p.double("width")
        let scale = p.double("epoch_scale")
        func scaled(_ epochs: Int) -> Int { epochs <= 0 || scale == 1 ? epochs : max(1, Int((Double(epochs) * scale).rounded())) }
        c.epochs = scaled(p.int("epochs"))
        c.batchSize = p.int("batch_size")
        c.evalBatchSize = p.int("eval_batch_size")
        c.seed = UInt64(p.int("seed"))
        c.optimizer = TrainingConfig.OptimizerKind(rawValue: p.string("optimizer")) ?? .nag
        c.learningRate = p.double("lr")
        c.momentum = p.double("momentum")
        c.weightDecay = p.double("wd")
        c.noBiasDecay = p.bool("no_bias_decay")
        c.schedule = TrainingConfig.ScheduleKind(rawValue: p.string("schedule")) ?? .step
        c.warmupEpochs = scaled(p.int("warmup_epochs"))
        // A drop keeps its distance from the end of the warm-up, so a shortened step
        // schedule still runs at the base rate for a while after warming up.
        let warmup = p.int("warmup_epochs")
        c.decayEpochs = p.list("decay_epochs").compactMap(\.intValue).map { epoch in
            scale == 1 ? epoch : c.warmupEpochs + max(1, Int((Double(epoch - warmup) * scale).rounded()))
        }
        c.decayFactor = p.double("decay_factor")
        c.polyPower = p.double("poly_power")
        c.labelSmoothing = p.double("label_smoothing")
        c.mixup = p.string("mixup")
        c.mixupAlpha = p.double("mixup_alpha")
        c.mixupExactFraction = p.bool("mixup_exact_fraction")
        c.mixupOffFirstEpochs = scaled(p.int("mixup_off_first"))
        c.mixupOffLastEpochs = scaled(p.int("mixup_off_last"))
        c.temperature = p.double("temperature")
        c.hardWeight = p.double("hard_weight")
        c.augment = p.bool("augment")
        c.mxnetSaturationBug = p.bool("mxnet_saturation_bug")
        c.pytorchRunningVariance = p.string("bn_running_var") == "unbiased"
        return c
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = context.parameters
        let config = TrainKind.config(p)
        let dataset = try CIFARConverter.load(try context.output(of: p.string("dataset"), named: "data"))
        var teacher: Model?
        if !p.string("teacher").isEmpty {
            teacher = try Checkpoint.loadModel(try context.output(of: p.string("teacher"), named: "checkpoint"))
        }
        context.progress.update("waiting for the engine (another stage is training or evaluating)")
        return try EngineLock.exclusive { try train(context, config, dataset, teacher) }
    }

    private func train(_ context: StageContext, _ config: TrainingConfig, _ dataset: CIFARDataset, _ teacher: Model?) throws -> StageResult {
        let trainer = try Trainer(config: config, dataset: dataset, teacher: teacher, workDirectory: context.workDirectory,
                                  environment: NumericEnvironment.current.description, threads: EngineLock.threads,
                                  report: { context.log($0) },
                                  announce: { context.announce($0) },
                                  progress: { context.progress.update($0.line, fraction: $0.fraction) },
                                  isCancelled: { context.isCancelled })
        let outcome = try trainer.run(stageName: context.stage)

        // A hard link, not a copy: the work directory and the cache share a file system, and
        // the teacher's checkpoint is 270 MB. The runner removes the work directory's name.
        let checkpoint = context.outputDirectory.appendingPathComponent("checkpoint.h5")
        do {
            try FileManager.default.linkItem(at: outcome.checkpoint, to: checkpoint)
        } catch {
            try FileManager.default.copyItem(at: outcome.checkpoint, to: checkpoint)
        }
        let history = context.outputDirectory.appendingPathComponent("history.json")
        try canonicalJSON(outcome.history).write(to: history)
        let timing = context.outputDirectory.appendingPathComponent("timing.json")
        try canonicalJSON(outcome.secondsPerEpoch).write(to: timing)

        var metrics: [String: Metric] = ["parameters": .number(Double(outcome.parameterCount))]
        if !context.parameters.string("teacher").isEmpty { metrics["teacher"] = .text(context.parameters.string("teacher")) }
        if let last = outcome.history.last {
            metrics["top1"] = .number(last.testTop1)
            metrics["top5"] = .number(last.testTop5)
        }
        return StageResult(outputs: ["checkpoint": .init(checkpoint), "history": .init(history),
                                     "timing": .init(timing, volatile: true)], metrics: metrics)
    }
}

/// Sorted keys, one spelling per number: byte-stable JSON for hashed outputs.
func canonicalJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
    var data = try encoder.encode(value)
    data.append(0x0A)
    return data
}
