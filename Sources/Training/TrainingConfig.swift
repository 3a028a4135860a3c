import Dataset
import NN

/// Everything that determines a training run (RECIPE.md). Two runs with equal configs
/// (and the same data and numeric environment) produce identical bytes.
public struct TrainingConfig: Codable, Equatable, Sendable {
    public enum OptimizerKind: String, Codable, CaseIterable, Sendable { case nag, sgd, adam, nadam, adadelta, rmsprop }
    public enum ScheduleKind: String, Codable, CaseIterable, Sendable { case step, poly, cosine }

    public var model = "cifar_resnet56_v1"
    public var widthMultiplier = 1.0
    public var epochs = 120
    public var batchSize = 256
    /// Devices the batch is split over (`Model.accumulateGradients`); stored only when not 1,
    /// so one-device checkpoints keep the bytes they had before.
    private var deviceCount: Int? = nil
    public var devices: Int {
        get { deviceCount ?? 1 }
        set { deviceCount = newValue == 1 ? nil : newValue }
    }
    public var evalBatchSize = 500
    public var seed: UInt64 = 0

    public var optimizer = OptimizerKind.nag
    /// The base learning rate (η₀); AdaDelta has none and ignores it.
    public var learningRate = 0.1
    public var momentum = 0.9
    public var weightDecay = 1e-4
    public var noBiasDecay = false

    public var schedule = ScheduleKind.step
    public var warmupEpochs = 0
    public var decayEpochs = [30, 60, 90]
    public var decayFactor = 0.1
    public var polyPower = 2.0

    public var labelSmoothing = 0.0
    /// none, interpolation, stitch-horizontal or stitch-vertical (`MixingConfig.Kind`).
    public var mixup = MixingConfig.Kind.none.rawValue
    public var mixupAlpha = 0.2
    public var mixupExactFraction = false
    public var mixupOffFirstEpochs = 0
    public var mixupOffLastEpochs = 0

    /// Distillation is on when a teacher checkpoint is given to the trainer.
    public var temperature = 20.0
    public var hardWeight = 0.5

    /// The label set trained on; nil is fine, left out of the JSON so fine-label
    /// checkpoints keep the bytes they had before coarse labels existed.
    public var labels: LabelSet? = nil

    public var augment = true
    public var mxnetSaturationBug = false
    /// BN running-variance rule: GluonCV's biased variance (default) or PyTorch's unbiased.
    public var pytorchRunningVariance = false

    public init() {}

    /// The same run with every epoch count multiplied by `scale` (rounded, at least 1):
    /// epochs, warm-up, mixing-off epochs and decay epochs, for short profiles. A drop keeps
    /// its distance from the end of the warm-up, so a shortened step schedule still runs
    /// at the base rate for a while after warming up.
    public func scaled(by scale: Double) -> TrainingConfig {
        guard scale != 1 else { return self }
        func scaled(_ epochs: Int) -> Int { epochs <= 0 ? epochs : max(1, Int((Double(epochs) * scale).rounded())) }
        var c = self
        c.epochs = scaled(epochs)
        c.warmupEpochs = scaled(warmupEpochs)
        c.decayEpochs = decayEpochs.map { c.warmupEpochs + max(1, Int((Double($0 - warmupEpochs) * scale).rounded())) }
        c.mixupOffFirstEpochs = scaled(mixupOffFirstEpochs)
        c.mixupOffLastEpochs = scaled(mixupOffLastEpochs)
        return c
    }

    func schedule(iterationsPerEpoch: Int) -> LRSchedule {
        let decay: LRSchedule.Decay
        switch schedule {
        case .step: decay = .step(epochs: decayEpochs, factor: decayFactor)
        case .poly: decay = .poly(power: polyPower)
        case .cosine: decay = .cosine
        }
        return LRSchedule(
            decay: decay, baseRate: learningRate, epochs: epochs, warmupEpochs: warmupEpochs,
            iterationsPerEpoch: iterationsPerEpoch)
    }

    var mixing: MixingConfig {
        MixingConfig(
            kind: MixingConfig.Kind(rawValue: mixup) ?? .none, alpha: mixupAlpha, exactFraction: mixupExactFraction,
            offFirstEpochs: mixupOffFirstEpochs, offLastEpochs: mixupOffLastEpochs, totalEpochs: epochs)
    }

    var augmentation: AugmentationConfig {
        var config = augment ? AugmentationConfig.training : AugmentationConfig.evaluation
        config.mxnetSaturationBug = mxnetSaturationBug
        return config
    }

    /// The update rule, with its state zeroed, for a model's parameters (RECIPE.md §4);
    /// it keeps the state at the flat positions `slice` (default: all; a rank's, `DataParallel`).
    func makeOptimizer(for model: Model, slice: Range<Int>? = nil) -> any Optimizer {
        let decay = WeightDecay(
            rate: Float(weightDecay), kinds: model.parameterKinds, excludingBiasAndNorm: noBiasDecay)
        switch optimizer {
        case .nag:
            return SGD(
                parameters: model.parameters, momentum: Float(momentum), nesterov: true, weightDecay: decay,
                slice: slice)
        case .sgd:
            return SGD(
                parameters: model.parameters, momentum: Float(momentum), nesterov: false, weightDecay: decay,
                slice: slice)
        case .adam: return Adam(parameters: model.parameters, weightDecay: decay, slice: slice)
        case .nadam: return Nadam(parameters: model.parameters, weightDecay: decay, slice: slice)
        case .adadelta: return AdaDelta(parameters: model.parameters, weightDecay: decay, slice: slice)
        case .rmsprop: return RMSProp(parameters: model.parameters, weightDecay: decay, slice: slice)
        }
    }
}
