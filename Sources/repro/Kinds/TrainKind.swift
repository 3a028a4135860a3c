import Dataset
import Foundation
import NN
import Pipeline
import Ranks
import Support
import Tensor
import Training

/// `kind: train`: one training run of RECIPE.md. Depends on the dataset stage (and on the
/// teacher's train stage for distillation). Outputs: `checkpoint` (HDF5, DESIGN.md layout),
/// `history` (per-epoch JSON), `timing` (seconds per epoch; volatile), and its proof:
/// `proof` (the hash chain of every epoch's state, `ProofChain`) and `state.<epoch>` (the
/// state every `proof_every` epochs; the final one is `checkpoint`). Resumes from
/// `artifacts/work/` after a crash and ends with the bytes of an uninterrupted run.
struct TrainKind: TypedStageKind {
    let name = "train"
    // 5: the teacher in parts of 32 images; 6: checkpoints record the key's parameters only;
    // 7: and a numeric environment without the ISA; 8: 1x1 convolutions on our own kernels
    // (ResNeXt: other bits); 9: and every other im2col one (strided: all models); 10: the
    // proof outputs (the checkpoint's bytes unchanged), and devices > 1 sums its parts by PartTree
    let version = 10

    /// What pipeline.yaml says of a training run: the recipe (`TrainingConfig`, written
    /// with RECIPE.md's names) plus the stages it reads and the schedule scale.
    struct Parameters: StageParameters {
        var dataset = "cifar100"
        var teacher = ""
        var epochScale = 1.0
        /// Not part of the recipe (the checkpoint's config): it changes the outputs, not the training.
        var proofEvery = 10
        var recipe = TrainingConfig()

        /// The run as the trainer sees it: every epoch count scaled.
        var config: TrainingConfig { recipe.scaled(by: epochScale) }

        static let fields: [ParameterField<Parameters>] = [
            .field(
                "model", \.recipe.model, doc: "cifar_resnet{20,56,110}_v1 or cifar_resnext29_{C}x{W}d",
                check: knownModel),
            .field(
                "width", \.recipe.widthMultiplier, doc: "channel-width multiplier (tiny models for smoke runs)",
                check: positive),
            .stage("dataset", \.dataset, doc: "the dataset stage"),
            .field("epochs", \.recipe.epochs, doc: "training epochs", check: positive),
            .field(
                "epoch_scale", \.epochScale,
                doc:
                    "shortens the schedule: epochs, warm-up, decay epochs and mixing-off epochs are multiplied by it "
                    + "(rounded, at least 1)",
                check: positive),
            .field(
                "batch_size", \.recipe.batchSize, doc: "images per update; the last incomplete batch is dropped",
                check: positive),
            .field(
                "devices", \.recipe.devices,
                doc:
                    "devices the batch is split over, each part normalised with its own batch statistics "
                    + "(MXNet/GluonCV data parallelism without synchronised BN); memory scales with the part",
                check: positive),
            .field("eval_batch_size", \.recipe.evalBatchSize, doc: "images per evaluation batch", check: positive),
            .field(
                "seed", \.recipe.seed,
                doc: "seed of every random draw (init, shuffle, augmentation, mixing); `seeds:` runs several"),
            .field("optimizer", \.recipe.optimizer, doc: "nag, sgd, adam, nadam, adadelta or rmsprop"),
            .field(
                "lr", \.recipe.learningRate, doc: "base learning rate (AdaDelta has none)", check: notNegative,
                matters: { $0.recipe.optimizer != .adadelta }),
            .field(
                "momentum", \.recipe.momentum, doc: "momentum of nag/sgd", check: notNegative,
                matters: { [.nag, .sgd].contains($0.recipe.optimizer) }),
            .field("wd", \.recipe.weightDecay, doc: "coupled L2 weight decay", check: notNegative),
            .field("no_bias_decay", \.recipe.noBiasDecay, doc: "exempt biases and BN parameters from decay"),
            .field("schedule", \.recipe.schedule, doc: "step, poly or cosine (per iteration)"),
            .field("warmup_epochs", \.recipe.warmupEpochs, doc: "linear warm-up epochs", check: notNegative),
            .field(
                "decay_epochs", \.recipe.decayEpochs, doc: "step schedule: epochs where the rate drops",
                matters: { $0.recipe.schedule == .step }),
            .field(
                "decay_factor", \.recipe.decayFactor, doc: "step schedule: factor per drop",
                matters: { $0.recipe.schedule == .step }),
            .field(
                "poly_power", \.recipe.polyPower, doc: "poly schedule: " + "power",
                matters: { $0.recipe.schedule == .poly }),
            .field(
                "label_smoothing", \.recipe.labelSmoothing, doc: "ε of label smoothing (GluonCV ε/K form)",
                check: { (0..<1).contains($0) ? nil : "must lie in [0, 1)" }),
            .field(
                "mixup", \.recipe.mixup, doc: "none, interpolation, stitch-horizontal or stitch-vertical",
                check: knownMixing),
            .field(
                "mixup_alpha", \.recipe.mixupAlpha, doc: "λ ~ Beta(α, α), one per batch", check: positive,
                matters: mixes),
            .field(
                "mixup_exact_fraction", \.recipe.mixupExactFraction,
                doc: "stitching: weight labels by P/32 instead of λ",
                matters: { $0.recipe.mixup.hasPrefix("stitch") }),
            .field(
                "mixup_off_first", \.recipe.mixupOffFirstEpochs, doc: "no mixing in the first k epochs",
                check: notNegative, matters: mixes),
            .field(
                "mixup_off_last", \.recipe.mixupOffLastEpochs, doc: "no mixing in the last k epochs",
                check: notNegative, matters: mixes),
            .field(
                "proof_every", \.proofEvery,
                doc:
                    "publish the training state every k epochs (outputs state.<epoch>): what `repro audit` replays "
                    + "from; every epoch's state hash is in the proof whatever k",
                check: positive),
            .stage("teacher", \.teacher, doc: "train stage of the distillation teacher; empty: no distillation"),
            .field(
                "temperature", \.recipe.temperature, doc: "distillation temperature T", check: positive,
                matters: distils),
            .field(
                "hard_weight", \.recipe.hardWeight, doc: "distillation weight of the hard-label term",
                check: { (0...1).contains($0) ? nil : "must lie in [0, 1]" }, matters: distils),
            .choice(
                "labels", \.recipe.labels, [("fine", nil), ("coarse", .coarse)],
                doc: "fine (100 classes) or coarse (CIFAR-100's 20 superclasses)"),
            .field("augment", \.recipe.augment, doc: "flip, colour jitter, PCA lighting, pad+crop"),
            .field(
                "mxnet_saturation_bug", \.recipe.mxnetSaturationBug, doc: "emulate MXNet's saturation kernel bug",
                matters: { $0.recipe.augment }),
            .choice(
                "bn_running_var", \.recipe.pytorchRunningVariance, [("biased", false), ("unbiased", true)],
                doc: "BN running variance: biased (GluonCV) or unbiased (PyTorch)"),
        ]

        private static let mixes: @Sendable (Parameters) -> Bool = {
            $0.recipe.mixup != MixingConfig.Kind.none.rawValue
        }
        private static let distils: @Sendable (Parameters) -> Bool = { !$0.teacher.isEmpty }
        private static let knownModel: @Sendable (String) -> String? = { name in
            (try? Architecture(name: name)) == nil
                ? "unknown model '\(name)'; known: \(Architecture.knownNames.joined(separator: ", ")), "
                    + "cifar_resnext29_{C}x{W}d"
                : nil
        }
        private static let knownMixing: @Sendable (String) -> String? = { name in
            MixingConfig.Kind(rawValue: name) == nil
                ? "unknown mixup '\(name)'; known: "
                    + "\(MixingConfig.Kind.allCases.map(\.rawValue).joined(separator: ", "))"
                : nil
        }
    }

    /// Each rank computes at least one of the batch's `devices` parts.
    func maximumRanks(_ parameters: ResolvedParameters) -> Int { Parameters(parameters).config.devices }

    func check(_ p: Parameters) -> String? {
        let config = p.config
        if config.batchSize % config.devices != 0 {
            return "batch_size \(config.batchSize) does not split into \(config.devices) equal parts (devices)"
        }
        if config.warmupEpochs >= config.epochs {
            return
                "warmup_epochs (\(config.warmupEpochs) after epoch_scale) must be smaller than epochs "
                + "(\(config.epochs))"
        }
        return nil
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let (dataset, teacher) = try Self.inputs(p, output: context.output(of:named:))
        return try train(context, p, dataset, teacher)
    }

    /// The dataset and the teacher a run reads, from `output(stage, name)`: a dependency's
    /// output file (a run) or the store's blob the lock names (an audit's replay).
    static func inputs(
        _ p: Parameters, output: (String, String) throws -> URL
    ) throws -> (CIFARDataset, Model?) {
        let dataset = try CIFARConverter.load(try output(p.dataset, "data")).relabeled(p.config.labels ?? .fine)
        let teacher = p.teacher.isEmpty ? nil : try Checkpoint.loadModel(try output(p.teacher, "checkpoint"))
        return (dataset, teacher)
    }

    private func train(
        _ context: StageContext, _ p: Parameters, _ dataset: CIFARDataset, _ teacher: Model?
    ) throws -> StageResult {
        let config = p.config
        let proof = try ProofRecorder(
            directory: context.workDirectory.appendingPathComponent("proof"), every: p.proofEvery,
            epochs: config.epochs)
        let trainer = try Trainer(
            config: config, dataset: dataset, teacher: teacher, workDirectory: context.workDirectory,
            environment: NumericEnvironment.current.description, threads: context.threads,
            report: { context.log($0) },
            announce: { context.announce($0) },
            progress: { context.progress.update($0.line, fraction: $0.fraction) },
            isCancelled: { context.isCancelled }, collective: MPIWorld.launched ?? SingleProcess())
        trainer.observeState = proof.record
        let outcome = try trainer.run(stageName: context.stage)
        // a follower rank of a multi-process run: rank 0 writes the outputs
        guard trainer.writesFiles else { return StageResult(outputs: [:], metrics: [:]) }

        // A hard link, not a copy: the work directory and the cache share a file system, and
        // the teacher's checkpoint is 270 MB. The runner removes the work directory's name.
        let checkpoint = context.outputDirectory.appendingPathComponent("checkpoint.h5")
        try HardLink.make(outcome.checkpoint, at: checkpoint)
        let history = context.outputDirectory.appendingPathComponent("history.json")
        try JSONValue.data(outcome.history, .foundationPretty).write(to: history)
        let timing = context.outputDirectory.appendingPathComponent("timing.json")
        try JSONValue.data(outcome.secondsPerEpoch, .foundationPretty).write(to: timing)

        var metrics: [String: Metric] = ["parameters": .number(Double(outcome.parameterCount))]
        let teacher = p.teacher
        if !teacher.isEmpty { metrics["teacher"] = .text(teacher) }
        if let labels = config.labels { metrics["labels"] = .text(labels.rawValue) }
        if let last = outcome.history.last {
            metrics["top1"] = .number(last.testTop1)
            metrics["top5"] = .number(last.testTop5)
        }
        var outputs: [String: StageResult.Output] = [
            "checkpoint": .init(checkpoint), "history": .init(history), "timing": .init(timing, volatile: true),
        ]
        for (name, file) in try proofOutputs(proof, into: context.outputDirectory) { outputs[name] = .init(file) }
        return StageResult(outputs: outputs, metrics: metrics)
    }

    /// `proof` and the published states, linked into the output directory like the checkpoint.
    private func proofOutputs(_ proof: ProofRecorder, into directory: URL) throws -> [String: URL] {
        var files = ["proof": proof.chainFile]
        for epoch in proof.chain.publishedEpochs {
            files[ProofChain.outputName(epoch: epoch)] = proof.stateFile(epoch: epoch)
        }
        return try files.mapValues { file in
            let target = directory.appendingPathComponent(file.lastPathComponent)
            try HardLink.make(file, at: target)
            return target
        }
    }
}

/// Numeric checks shared by the kinds' parameter declarations.
func positive<Value: Comparable & Numeric>(_ value: Value) -> String? { value > 0 ? nil : "must be positive" }
func notNegative<Value: Comparable & Numeric>(_ value: Value) -> String? {
    value >= 0 ? nil : "must be zero or positive"
}

extension TrainingConfig.OptimizerKind: ParamChoice {}
extension TrainingConfig.ScheduleKind: ParamChoice {}
extension LabelSet: ParamChoice {}
