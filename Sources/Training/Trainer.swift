import Dataset
import Foundation
import NN
import Support
import Tensor

/// What a running epoch loop reports (a terminal shows it as one live line).
public struct TrainingProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var step: Int, steps: Int
    public var loss: Double
    public var imagesPerSecond: Double
    public var etaSeconds: Double

    /// Of the whole run, for the ETA of the stage's live line.
    public var fraction: Double {
        (Double(epoch - 1) + Double(step) / Double(max(steps, 1))) / Double(max(epochs, 1))
    }

    public var line: String {
        String(
            format: "epoch %d/%d step %d/%d loss %.4f %.0f img/s ETA %@", epoch, epochs, step, steps, loss,
            imagesPerSecond, TrainingProgress.duration(etaSeconds))
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600
            ? "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m" : "\(s / 60)m\(String(format: "%02d", s % 60))s"
    }
}

/// The outcome of a run: the final checkpoint and how it went.
public struct TrainingOutcome: Sendable {
    public var checkpoint: URL
    public var history: [EpochRecord]
    /// Wall-clock seconds of every epoch's training loop, without evaluation and
    /// checkpointing (volatile: recorded, never hashed).
    public var secondsPerEpoch: [Double]
    /// The epoch the run resumed from, if it did.
    public var resumedFrom: Int?
    /// Trainable parameters of the model.
    public var parameterCount: Int
}

/// The epoch loop (RECIPE.md): per-iteration learning rate, optional distillation from a
/// frozen teacher in inference mode on the very batch the student sees, evaluation after
/// every epoch, and the whole state saved after every epoch (and at the step reached when
/// asked to stop) so an interrupted run resumes where it stopped and ends with the same bytes.
public final class Trainer {
    public let config: TrainingConfig
    let dataset: CIFARDataset
    let teacher: Model?
    let workDirectory: URL
    let environment: String
    let threads: Int
    let report: (String) -> Void
    let announce: ((String) -> Void)?
    let progress: (TrainingProgress) -> Void
    let isCancelled: () -> Bool
    /// The processes computing this run together (one, or the ranks of an MPI launch):
    /// each computes its block of the `devices` parts; rank 0 alone writes files.
    let collective: Collective
    public var writesFiles: Bool { collective.rank == 0 }
    /// Receives every state saved at an epoch's end, the initial one included, as soon as
    /// it is written (and the one a run resumes from): a `ProofRecorder`, or a replay's check.
    /// Rank 0's only, which alone writes the state.
    public var observeState: (Int, URL) throws -> Void = { _, _ in }

    public var stateFile: URL { workDirectory.appendingPathComponent("state.h5") }
    var distillation: Distillation {
        Distillation(temperature: Float(config.temperature), hardWeight: Float(config.hardWeight))
    }
    var timingFile: URL { workDirectory.appendingPathComponent("seconds_per_epoch.json") }

    /// - Parameters:
    ///   - teacher: a trained model; distillation is on when it is given.
    ///   - workDirectory: survives crashes; holds the resume state and the volatile timings.
    ///   - report: receives plain messages for a log ("resuming … from epoch 3 of 5", one line per epoch).
    ///   - announce: when given, receives instead of `report` the messages a user must see on
    ///     the console as well as in the log: that training resumed from a saved epoch.
    ///   - progress: receives the live position within the epoch (a terminal's status line).
    public init(
        config: TrainingConfig, dataset: CIFARDataset, teacher: Model?, workDirectory: URL,
        environment: String, threads: Int, report: @escaping (String) -> Void,
        announce: ((String) -> Void)? = nil,
        progress: @escaping (TrainingProgress) -> Void = { _ in },
        isCancelled: @escaping () -> Bool = { false },
        collective: Collective = SingleProcess()
    ) throws {
        if let teacher, teacher.classes != dataset.fineClasses {
            throw TrainingError.teacherMismatch(
                "the teacher has \(teacher.classes) classes but the data has \(dataset.fineClasses); train the "
                    + "teacher on the same dataset"
            )
        }
        self.config = config
        self.dataset = dataset
        self.teacher = teacher
        self.workDirectory = workDirectory
        self.environment = environment
        self.threads = max(1, threads)
        self.report = report
        self.announce = announce
        self.progress = progress
        self.isCancelled = isCancelled
        self.collective = collective
        guard collective.size <= config.devices else {
            throw TrainingError.badInput(
                "\(collective.size) ranks for devices: \(config.devices): each rank computes at least one of the "
                    + "batch's parts; use at most \(config.devices) ranks or raise devices")
        }
    }

    /// The initial training state, as `run` starts from it: the model initialised from the
    /// seed, the optimizer's state zeroed. A proof's first state, recomputed from the recipe.
    public func writeInitialState(to url: URL) throws {
        let (model, optimizer) = try freshModel()
        try Checkpoint.write(
            to: url, model: model, optimizer: optimizer, state: TrainingState(), config: config,
            environment: environment)
    }

    /// With `parallel`, the optimizer keeps the state of this rank's slice alone.
    func freshModel(_ parallel: DataParallel? = nil) throws -> (Model, any Optimizer) {
        let model = try Model(
            name: config.model, classes: dataset.fineClasses, widthMultiplier: config.widthMultiplier,
            seed: config.seed)
        model.batchNormConfig = BatchNorm.Config(runningVariance: config.pytorchRunningVariance ? .unbiased : .biased)
        return (model, config.makeOptimizer(for: model, slice: parallel?.parameterSlice(of: model)))
    }

    /// Trains from the state in the work directory (or the initial one) to epoch
    /// `lastEpoch` (default: the recipe's last), saving the state after every epoch.
    public func run(stageName: String, through lastEpoch: Int? = nil) throws -> TrainingOutcome {
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let classes = dataset.fineClasses
        let parallel = DataParallel(devices: config.devices, collective: collective)
        let (model, optimizer) = try freshModel(parallel)
        model.context.threads = threads
        // The teacher runs between the student's passes, never beside them: one scratch serves both.
        teacher?.context = model.context
        if collective.size > 1 { announceSlice(optimizer, of: model) }
        let loader = BatchLoader.training(
            split: dataset.train, classes: classes, batchSize: config.batchSize, seed: config.seed,
            augmentation: config.augmentation, mixing: config.mixing,
            labelSmoothing: Float(config.labelSmoothing), rows: parallel.rows(batch: config.batchSize))
        let testLoader = BatchLoader.evaluation(split: dataset.test, classes: classes, batchSize: config.evalBatchSize)
        guard loader.batchesPerEpoch > 0 else {
            throw TrainingError.badInput(
                "batch_size \(config.batchSize) is larger than the \(dataset.train.count) training images; lower "
                    + "batch_size"
            )
        }
        let schedule = config.schedule(iterationsPerEpoch: loader.batchesPerEpoch)

        var state = TrainingState()
        var resumedFrom: Int?
        if FileManager.default.fileExists(atPath: stateFile.path) {
            state = try Checkpoint.restore(
                from: stateFile, model: model, optimizer: optimizer, config: config,
                environment: environment)
            if state.epoch > 0 || state.inEpoch != nil {
                resumedFrom = state.epoch
                (announce ?? report)(
                    "resuming \(stageName) from epoch \(state.epoch) of \(config.epochs)"
                        + (state.inEpoch.map { ", step \($0.step)" } ?? ""))
            }
        } else if writesFiles {
            // The initial state is saved like every epoch's: the proof's first link. The
            // optimizer's is zero: rank 0 writes the whole of it without the others' slices.
            try Checkpoint.write(
                to: stateFile, model: model, optimizer: optimizer, state: state, config: config,
                environment: environment, optimizerState: { _, view in [Float](repeating: 0, count: view.count) })
        }
        if writesFiles && state.inEpoch == nil { try observeState(state.epoch, stateFile) }
        var seconds = resumedFrom == nil ? [] : loadTimings()

        var batch = Batch()
        while state.epoch < min(lastEpoch ?? config.epochs, config.epochs) {
            let epoch = state.epoch
            let started = Date()
            // A run stopped inside this epoch continues at its next batch with its sums.
            let resumed = state.inEpoch ?? EpochProgress()
            state.inEpoch = nil
            var lossSum = resumed.lossSum, correct = resumed.correct, seen = resumed.seen, lastRate = resumed.lastRate
            let batches = loader.epoch(epoch, from: resumed.step)
            var step = resumed.step
            while batches.next(into: &batch) {
                // every rank stops at the same step when any of them was asked to
                if collective.any(isCancelled()) {
                    try saveInsideEpoch(
                        state,
                        EpochProgress(step: step, lossSum: lossSum, correct: correct, seen: seen, lastRate: lastRate),
                        model: model, optimizer: optimizer, parallel: parallel)
                    report(
                        "stopped \(stageName) at epoch \(epoch + 1) step \(step) of \(batches.count); state saved "
                            + "for a continuation"
                    )
                    throw TrainingError.cancelled
                }
                let rate = schedule.rate(atUpdate: state.updates + 1)
                let (loss, batchCorrect) = trainStep(model, optimizer, parallel, batch, rate: rate)
                guard loss.isFinite else {
                    throw TrainingError.diverged(
                        epoch: epoch + 1, step: step + 1, loss: loss,
                        lastGood: state.epoch > 0 ? stateFile.path : nil)
                }
                state.updates += 1
                step += 1
                lastRate = rate
                lossSum += Double(loss)
                correct += batchCorrect
                seen += batch.count
                if step % 10 == 0 || step == batches.count {
                    let elapsed = Date().timeIntervalSince(started)
                    let perStep = elapsed / Double(max(1, step - resumed.step))
                    let remaining =
                        Double(batches.count - step) + Double(config.epochs - epoch - 1) * Double(batches.count)
                    progress(
                        TrainingProgress(
                            epoch: epoch + 1, epochs: config.epochs, step: step, steps: batches.count,
                            loss: lossSum / Double(step), imagesPerSecond: Double(seen) / max(elapsed, 1e-9),
                            etaSeconds: perStep * remaining))
                }
            }
            let trainingSeconds = Date().timeIntervalSince(started)
            let evaluation = Evaluation.run(model, loader: testLoader, collective: collective)
            guard evaluation.loss.isFinite else {
                throw TrainingError.diverged(
                    epoch: epoch + 1, step: step, loss: Float(evaluation.loss),
                    lastGood: state.epoch > 0 ? stateFile.path : nil)
            }
            state.history.append(
                EpochRecord(
                    epoch: epoch + 1, learningRate: lastRate, trainLoss: lossSum / Double(max(step, 1)),
                    trainAccuracy: 100 * Double(correct) / Double(max(seen, 1)),
                    testTop1: evaluation.top1, testTop5: evaluation.top5, testLoss: evaluation.loss))
            state.epoch += 1
            try save(state, model: model, optimizer: optimizer, parallel: parallel)
            if writesFiles { try observeState(state.epoch, stateFile) }
            seconds.append(trainingSeconds)
            if writesFiles { saveTimings(seconds) }
            report(
                String(
                    format: "epoch %d/%d: train loss %.4f, test top-1 %.2f%%, top-5 %.2f%%", epoch + 1, config.epochs,
                    lossSum / Double(max(step, 1)), evaluation.top1, evaluation.top5))
        }
        return TrainingOutcome(
            checkpoint: stateFile, history: state.history, secondsPerEpoch: seconds, resumedFrom: resumedFrom,
            parameterCount: model.parameterCount)
    }

    /// The state of a run stopped inside an epoch (nothing is saved before the first step:
    /// the last epoch's checkpoint already says where to start).
    func saveInsideEpoch(
        _ state: TrainingState, _ progress: EpochProgress, model: Model, optimizer: any Optimizer,
        parallel: DataParallel
    ) throws {
        guard progress.step > 0 else { return }
        var inside = state
        inside.inEpoch = progress
        try save(inside, model: model, optimizer: optimizer, parallel: parallel)
    }

    /// The whole state, one file whatever the number of ranks, so a run can continue on
    /// any number of them: rank 0 gathers each view of the optimizer's state from the
    /// ranks' slices as it writes it, and the others send theirs in the same order (states
    /// by name, views in order, as `Checkpoint.write` goes).
    func save(_ state: TrainingState, model: Model, optimizer: any Optimizer, parallel: DataParallel) throws {
        let gather = { (name: String, view: Arena.View) in
            parallel.gather(view, of: optimizer.state[name]!, model: model)
        }
        if writesFiles {
            try Checkpoint.write(
                to: stateFile, model: model, optimizer: optimizer, state: state, config: config,
                environment: environment, optimizerState: { gather($0, $1)! })
        } else {
            for name in optimizer.state.keys.sorted() {
                for view in optimizer.state[name]!.views { _ = gather(name, view) }
            }
        }
        // no rank goes on (or exits, which ends the launch) before the state is whole on disk
        _ = collective.any(false)
    }

    /// One update; returns the batch-mean loss and how many images the model got right
    /// (against the hard label, the first image of a mixed pair) before the update.
    /// With `devices` > 1 the batch goes through in equal parts (`DataParallel`).
    func trainStep(
        _ model: Model, _ optimizer: any Optimizer, _ parallel: DataParallel, _ batch: Batch, rate: Double
    ) -> (loss: Float, correct: Int) {
        let classes = model.classes
        let update = { (range: Range<Int>) in
            optimizer.step(
                parameters: model.parameters, gradients: model.gradients, learningRate: Float(rate), range: range)
        }
        let (logits, loss) = batch.images.withUnsafeBufferPointer { images in
            parallel.step(model, images.baseAddress!, batch: batch.count, update: update) {
                range, logits in
                let targets = Array(batch.targets[range.lowerBound * classes..<range.upperBound * classes])
                guard let softTargets = teacherSoftTargets(images.baseAddress!, range, classes: classes) else {
                    return SoftmaxCrossEntropy.loss(logits: logits, targets: targets, classes: classes)
                }
                return distillation.loss(
                    logits: logits, softTargets: softTargets, hardTargets: targets, classes: classes
                ).total
            }
        }
        guard loss.isFinite else { return (loss, 0) }
        let correct = (0..<batch.count).filter { i in
            Evaluation.rank(of: Int(batch.labels[i]), in: logits[(i * classes)..<((i + 1) * classes)]) == 0
        }.count
        return (loss, correct)
    }

    /// The teacher's soft targets for the images in `range` of the student's own
    /// (augmented, mixed) batch: inference mode (running statistics), no gradient. Nil
    /// without a teacher.
    /// Images per teacher forward (`Model.inferenceLogits`). It shapes the teacher's products,
    /// so a change of it changes distilled results: bump the train kind's version.
    public static let teacherPart = 32

    func teacherSoftTargets(_ images: UnsafePointer<Float>, _ range: Range<Int>, classes: Int) -> [Float]? {
        guard let teacher else { return nil }
        // in parts of at most 32 images: the teacher's memory stays that of 32 whatever the student's batch
        let logits = teacher.inferenceLogits(
            images + range.lowerBound * 3 * 32 * 32, batch: range.count, part: Self.teacherPart)
        return distillation.softTargets(teacherLogits: logits, classes: classes)
    }

    /// Every rank says in the launch's log which part of the optimizer's state it keeps
    /// (the memory the slices save; a test reads it).
    func announceSlice(_ optimizer: any Optimizer, of model: Model) {
        let slice = optimizer.state.values.first?.range ?? 0..<0
        FileHandle.standardError.write(
            Data(
                ("rank \(collective.rank) of \(collective.size): optimizer state for parameters \(slice.lowerBound)"
                    + "..<\(slice.upperBound), \(slice.count) of \(model.gradients.count)\n").utf8))
    }

    func loadTimings() -> [Double] {
        guard let data = try? Data(contentsOf: timingFile) else { return [] }
        return (try? JSONValue.decode([Double].self, from: data)) ?? []
    }

    func saveTimings(_ seconds: [Double]) {
        // Best effort, like the timing itself; whole or absent, like every file repro writes.
        try? AtomicFile.write(JSONValue.data(seconds, .foundation), to: timingFile)
    }
}
