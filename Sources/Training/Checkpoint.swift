import Foundation
import HDF5
import NN
import Support
import Tensor

/// Where training stands: after a complete epoch, or (when stopped by a signal, e.g. a
/// Slurm time limit ahead) inside one.
public struct TrainingState: Equatable, Sendable {
    /// Epochs completed; the next epoch to run (0-based) has this number.
    public var epoch: Int
    /// Optimizer updates taken so far (the schedule's position).
    public var updates: Int
    public var history: [EpochRecord]
    /// Inside epoch `epoch`: the batches already trained and the epoch's running sums.
    /// nil at an epoch's end, and then the checkpoint holds no trace of it, so its bytes
    /// are those of a run never stopped mid-epoch.
    public var inEpoch: EpochProgress?

    public init(epoch: Int = 0, updates: Int = 0, history: [EpochRecord] = [], inEpoch: EpochProgress? = nil) {
        self.epoch = epoch
        self.updates = updates
        self.history = history
        self.inEpoch = inEpoch
    }
}

/// The part of an epoch already trained, for a resume at step granularity: the batch
/// order is a pure function of (seed, epoch, index), so the epoch continues at `step`
/// exactly as if never stopped.
public struct EpochProgress: Equatable, Sendable {
    public var step: Int
    public var lossSum: Double
    public var correct: Int
    public var seen: Int
    public var lastRate: Double

    public init(step: Int = 0, lossSum: Double = 0, correct: Int = 0, seen: Int = 0, lastRate: Double = 0) {
        self.step = step
        self.lossSum = lossSum
        self.correct = correct
        self.seen = seen
        self.lastRate = lastRate
    }

    func write(into group: H5Group) throws {
        try group.setAttribute("in_epoch_step", step)
        try group.setAttribute("in_epoch_loss_sum", lossSum)
        try group.setAttribute("in_epoch_correct", correct)
        try group.setAttribute("in_epoch_seen", seen)
        try group.setAttribute("in_epoch_last_rate", lastRate)
    }

    /// nil when the group was written at an epoch's end.
    static func read(from group: H5Group) throws -> EpochProgress? {
        guard group.hasAttribute("in_epoch_step") else { return nil }
        return EpochProgress(
            step: try group.intAttribute("in_epoch_step"), lossSum: try group.doubleAttribute("in_epoch_loss_sum"),
            correct: try group.intAttribute("in_epoch_correct"), seen: try group.intAttribute("in_epoch_seen"),
            lastRate: try group.doubleAttribute("in_epoch_last_rate"))
    }
}

/// Checkpoints in HDF5 (DESIGN.md "Checkpoints"): `/params` and `/buffers` named as in a
/// PyTorch state_dict (OIHW), `/optimizer/<state>/<name>`, `/state`, `/history`; root
/// attributes say which model, config and numeric environment produced them. The same
/// file serves as the per-epoch resume state and as the stage's final output, so a run
/// resumed from epoch k ends with the bytes of one never interrupted.
public enum Checkpoint {
    public static let format = "repro-checkpoint"
    public static let formatVersion = 1

    /// `optimizerState(name, view)`, when given, gives the whole values of a view of the
    /// optimizer's named state where its own holds a slice (a data-parallel rank's: rank 0
    /// gathers them from the ranks as it writes, states by name, views in order).
    public static func write(
        to url: URL, model: Model, optimizer: (any Optimizer)?, state: TrainingState,
        config: TrainingConfig, environment: String,
        optimizerState: ((_ name: String, _ view: Arena.View) -> [Float])? = nil
    ) throws {
        try AtomicFile.write(to: url) { temporary in
            try H5File.write(temporary) { root in
                try root.setAttribute("format", format)
                try root.setAttribute("format_version", formatVersion)
                try root.setAttribute("model", model.name)
                try root.setAttribute("classes", model.classes)
                try root.setAttribute("width_multiplier", config.widthMultiplier)
                try root.setAttribute("config", try configText(config))
                try root.setAttribute("numeric_environment", environment)
                try writeViews(model.parameters.views, model.parameters.values(of:), into: root.createGroup("params"))
                try writeViews(model.buffers.views, model.buffers.values(of:), into: root.createGroup("buffers"))
                let optimizerGroup = try root.createGroup("optimizer")
                try optimizerGroup.setAttribute("kind", config.optimizer.rawValue)
                try optimizerGroup.setAttribute("updates", optimizer?.updates ?? 0)
                for (name, slice) in (optimizer?.state ?? [:]).sorted(by: { $0.key < $1.key }) {
                    check(optimizerState != nil || slice.isWhole, "checkpoint: the optimizer's \(name) is a slice")
                    let values = optimizerState.map { whole in { whole(name, $0) } } ?? slice.values(of:)
                    try writeViews(slice.views, values, into: optimizerGroup.createGroup(name))
                }
                let stateGroup = try root.createGroup("state")
                try stateGroup.setAttribute("epoch", state.epoch)
                try stateGroup.setAttribute("updates", state.updates)
                try stateGroup.setAttribute("seed", Int(bitPattern: UInt(config.seed)))
                try stateGroup.setAttribute(
                    "rng",
                    "counter-based Philox-4x32-10 keyed by (seed, purpose, epoch, index): the next epoch's draws "
                        + "need only its number"
                )
                try state.inEpoch?.write(into: stateGroup)
                try writeHistory(state.history, into: root.createGroup("history"))
            }
        }
    }

    /// Loads parameters, buffers, optimizer state (the optimizer's slice of it) and training
    /// state into `model` and `optimizer`, after checking the file was written for the same
    /// run configuration in the same numeric environment (bitwise resume is promised only
    /// within one).
    public static func restore(
        from url: URL, model: Model, optimizer: any Optimizer, config: TrainingConfig,
        environment: String
    ) throws -> TrainingState {
        try read(url) { root in
            let saved = try root.stringAttribute("config")
            guard try saved == configText(config) else {
                throw TrainingError.checkpointMismatch(
                    "\(url.path) was written for another configuration; delete it to start over")
            }
            let written = try root.stringAttribute("numeric_environment")
            guard written == environment else {
                throw TrainingError.checkpointMismatch(
                    "\(url.path) was written in another numeric environment (\(written); now \(environment)); "
                        + "resuming would mix the two: delete it to start over"
                )
            }
            try loadModelTensors(root, into: model, file: url)
            optimizer.updates = try root.openGroup("optimizer").intAttribute("updates")
            // each state keeps its slice of the whole the file holds
            for (name, slice) in optimizer.state {
                try readTensors(slice, from: root.openGroup("optimizer/\(name)"), file: url)
            }
            let state = try root.openGroup("state")
            return TrainingState(
                epoch: try state.intAttribute("epoch"), updates: try state.intAttribute("updates"),
                history: try readHistory(root.openGroup("history")), inEpoch: try EpochProgress.read(from: state))
        }
    }

    /// The trained model a checkpoint holds (a teacher, or a student to evaluate).
    public static func loadModel(_ url: URL) throws -> Model {
        try read(url) { root in
            let model = try Model(
                name: try root.stringAttribute("model"), classes: try root.intAttribute("classes"),
                widthMultiplier: try root.doubleAttribute("width_multiplier"))
            try loadModelTensors(root, into: model, file: url)
            return model
        }
    }

    public static func history(_ url: URL) throws -> [EpochRecord] {
        try read(url) { try readHistory($0.openGroup("history")) }
    }

    // MARK: parts

    /// Opens a checkpoint after checking it is one, of the format version this code
    /// reads. A damaged file (truncated, bit-flipped: libhdf5 reports it) is refused with
    /// its path, as bad input, never a crash.
    static func read<R>(_ url: URL, _ body: (H5Group) throws -> R) throws -> R {
        do {
            return try H5File.read(url) { root in
                guard root.hasAttribute("format"), try root.stringAttribute("format") == format else {
                    throw TrainingError.checkpointMismatch(
                        "\(url.path) is not a repro checkpoint (no format attribute '\(format)')")
                }
                let version = root.hasAttribute("format_version") ? try root.intAttribute("format_version") : 0
                guard version == formatVersion else {
                    throw TrainingError.checkpointMismatch(
                        "\(url.path) has checkpoint format version \(version); this repro reads version "
                            + "\(formatVersion): retrain it (or delete it to start over)"
                    )
                }
                return try body(root)
            }
        } catch let error as H5Error {
            throw TrainingError.checkpointMismatch(
                "\(url.path) cannot be read (damaged or truncated; delete it to start over): \(error)")
        }
    }

    static func loadModelTensors(_ root: H5Group, into model: Model, file: URL) throws {
        let name = try root.stringAttribute("model"), classes = try root.intAttribute("classes")
        guard name == model.name, classes == model.classes else {
            throw TrainingError.checkpointMismatch(
                "\(file.path) holds \(name) with \(classes) classes, not \(model.name) with \(model.classes)")
        }
        try readTensors(model.parameters, from: root.openGroup("params"), file: file)
        try readTensors(model.buffers, from: root.openGroup("buffers"), file: file)
    }

    static func writeViews(_ views: [Arena.View], _ values: (Arena.View) -> [Float], into group: H5Group) throws {
        for view in views { try group.write(view.name, values(view), shape: view.shape) }
    }

    static func readTensors(_ tensors: some CheckpointTensors, from group: H5Group, file: URL) throws {
        for view in tensors.views {
            guard group.contains(view.name) else {
                throw TrainingError.checkpointMismatch("\(file.path) has no tensor \(group.path)/\(view.name)")
            }
            let data = try group.read(view.name, as: Float.self)
            do {
                try tensors.load(named: view.name, shape: data.shape, values: data.values)
            } catch {
                throw TrainingError.checkpointMismatch("\(file.path): \(error)")
            }
        }
    }

    static func writeHistory(_ history: [EpochRecord], into group: H5Group) throws {
        try group.write("epoch", history.map { Int64($0.epoch) })
        try group.write("learning_rate", history.map(\.learningRate))
        try group.write("train_loss", history.map(\.trainLoss))
        try group.write("train_accuracy", history.map(\.trainAccuracy))
        try group.write("test_top1", history.map(\.testTop1))
        try group.write("test_top5", history.map(\.testTop5))
        try group.write("test_loss", history.map(\.testLoss))
    }

    static func readHistory(_ group: H5Group) throws -> [EpochRecord] {
        let epochs = try group.read("epoch", as: Int64.self).values
        func column(_ name: String) throws -> [Double] { try group.read(name, as: Double.self).values }
        let lr = try column("learning_rate"), loss = try column("train_loss"), accuracy = try column("train_accuracy")
        let top1 = try column("test_top1"), top5 = try column("test_top5"), testLoss = try column("test_loss")
        return epochs.indices.map {
            EpochRecord(
                epoch: Int(epochs[$0]), learningRate: lr[$0], trainLoss: loss[$0], trainAccuracy: accuracy[$0],
                testTop1: top1[$0], testTop5: top5[$0], testLoss: testLoss[$0])
        }
    }

    /// The `config` attribute: sorted keys in Foundation's spelling, which the checkpoints
    /// of the lock were written in (a resume compares it as text).
    static func configText(_ config: TrainingConfig) throws -> String {
        try JSONValue(encoding: config).text(.foundation)
    }
}

/// Named, shaped tensors a checkpoint reads one dataset per view: an arena (parameters,
/// buffers) or an optimizer's state (its slice when a data-parallel rank reads it).
protocol CheckpointTensors {
    var views: [Arena.View] { get }
    func load(named name: String, shape: [Int], values: [Float]) throws
}

extension Arena: CheckpointTensors {}
extension StateSlice: CheckpointTensors {}

extension Arena {
    /// A copy of a view's values, as a checkpoint writes them.
    fileprivate func values(of view: View) -> [Float] {
        Array(UnsafeBufferPointer(start: pointer(view), count: view.count))
    }
}
