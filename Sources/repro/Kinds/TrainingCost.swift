import Dataset
import Foundation
import NN
import Pipeline
import Training

/// What a training stage asks a cluster for by default (`StageKind.resources`), derived
/// from its recipe and the models' geometry (`ModelCost`) with the speed `repro bench`
/// measures. pipeline.yaml's `resources:` and `--slurm-*` override any of it.
struct TrainingCost {
    /// Training FLOP/s of one thread for a model no calibration measured: `repro bench
    /// --model cifar_resnet56_v1 --batch 128 --threads 2` with the AVX2 build on this
    /// project's 2-core machines: 79 images/s at 0.75 GFLOP per image (59.6 GFLOP/s) on an
    /// Intel Xeon, 100–115 on an AMD EPYC; evaluation is taken as fast.
    static let fallbackFlopsPerThread = 30e9
    /// Share of a training step that runs in parallel for a model no calibration measured,
    /// on the safe side: `repro bench --parallelism` bounds ResNet56 at 43.7x on 64
    /// threads (~99 %) and the ResNeXt29 16x64d teacher at 13.6x (~94 %).
    static let fallbackParallelShare = 0.92
    /// The speeds a calibration file holds (`Calibration.current`) for the model, else the fallbacks.
    struct Speed {
        let train, eval, share: Double
        let source: String

        init(model: String, width: Double) {
            if let calibration = Calibration.current, let entry = calibration.entry(model: model, width: width) {
                (train, eval, share) = (entry.trainFlopsPerThread, entry.evalFlopsPerThread, entry.parallelShare)
                source = "calibrated: " + calibration.machine.kind
            } else {
                (train, eval) = (TrainingCost.fallbackFlopsPerThread, TrainingCost.fallbackFlopsPerThread)
                share = TrainingCost.fallbackParallelShare
                source = "fallback: 30 GFLOP/s, 92 % parallel"
            }
        }
    }

    let flops: Double
    let memoryBytes: Double
    /// The duration's model: one-thread seconds at the measured speeds, parts, steps, parameters.
    let work: WorkEstimate

    /// The dataset's split sizes and classes as pipeline.yaml declares them (CIFAR-100's when it says "any").
    private struct DataSize {
        let trainImages, testImages: Double
        let classes: Int

        init(_ dataset: String, labels: LabelSet?, lookup: (String) -> ResolvedParameters?) {
            let data = lookup(dataset).map(DatasetKind.Parameters.init)
            trainImages = Double(data.map(\.trainCount).flatMap { $0 > 0 ? $0 : nil } ?? 50_000)
            testImages = Double(data.map(\.testCount).flatMap { $0 > 0 ? $0 : nil } ?? 10_000)
            classes = labels == .coarse ? 20 : (data.map(\.classes).flatMap { $0 > 0 ? $0 : nil } ?? 100)
        }
    }

    /// Evaluating `run`'s model on the test split in batches of `batch`.
    init(evaluating run: TrainKind.Parameters, batch: Int, lookup: (String) -> ResolvedParameters?) throws {
        let config = run.config
        let size = DataSize(run.dataset, labels: config.labels, lookup: lookup)
        let model = try ModelCost(model: config.model, classes: size.classes, widthMultiplier: config.widthMultiplier)
        flops = size.testImages * 2 * Double(model.forwardMACs)
        memoryBytes =
            4 * Double(2 * model.parameters + model.activationFloats * batch) + size.testImages * 3072 + 256 * 1_048_576
        let speed = Speed(model: config.model, width: config.widthMultiplier)
        work = WorkEstimate(oneThreadSeconds: flops / speed.eval, parallelShare: speed.share, source: speed.source)
    }

    init(_ p: TrainKind.Parameters, lookup: (String) -> ResolvedParameters?) throws {
        let config = p.config
        let size = DataSize(p.dataset, labels: config.labels, lookup: lookup)
        let (trainImages, testImages, classes) = (size.trainImages, size.testImages, size.classes)
        let student = try ModelCost(model: config.model, classes: classes, widthMultiplier: config.widthMultiplier)
        let speed = Speed(model: config.model, width: config.widthMultiplier)
        let pass = config.batchSize / max(1, config.devices)
        // forward 2 FLOP per MAC, backward twice that; the test set once per epoch
        let train = trainImages * 6 * Double(student.forwardMACs), test = testImages * 2 * Double(student.forwardMACs)
        var perEpoch = train + test
        var secondsPerEpoch = train / speed.train + test / speed.eval
        var parallelSeconds = secondsPerEpoch * speed.share
        // and a gigabyte for the trainer's own buffers beyond the bench's: the smoke teacher
        // (ResNeXt29 2x4d at width 0.25, estimated 0.7 GB) peaked at 1.5 GB under Slurm's accounting
        var memory = student.trainingBytes(imagesPerPass: pass) + (trainImages + testImages) * 3072 + 1_073_741_824
        if !p.teacher.isEmpty, let teacherParameters = lookup(p.teacher) {
            let teacher = TrainKind.Parameters(teacherParameters).config
            let cost = try ModelCost(model: teacher.model, classes: classes, widthMultiplier: teacher.widthMultiplier)
            let teacherSpeed = Speed(model: teacher.model, width: teacher.widthMultiplier)
            let forward = trainImages * 2 * Double(cost.forwardMACs)
            perEpoch += forward
            secondsPerEpoch += forward / teacherSpeed.eval
            parallelSeconds += forward / teacherSpeed.eval * teacherSpeed.share
            memory += 4 * Double(cost.parameters * 2 + cost.activationFloats * min(pass, Trainer.teacherPart))
        }
        flops = perEpoch * Double(config.epochs)
        memoryBytes = memory
        // the last incomplete batch is dropped (Gluon's `last_batch='discard'`)
        let stepsPerEpoch = max(1, Int(trainImages) / max(1, config.batchSize))
        // the share of the whole: each model's own, weighted by its time
        work = WorkEstimate(
            oneThreadSeconds: secondsPerEpoch * Double(config.epochs), parallelShare: parallelSeconds / secondsPerEpoch,
            parts: config.devices, steps: stepsPerEpoch * config.epochs, parameters: student.parameters,
            source: speed.source)
    }

    /// Seconds on `threads` threads.
    func seconds(threads: Int) -> Double {
        work.seconds(threads: threads)
    }

    /// CPUs by size: a run of under an hour on one thread gets one; under 8 hours two;
    /// under 3 days four; under 30 days eight; anything longer sixteen.
    var cpus: Int {
        let hours = seconds(threads: 1) / 3600
        return hours < 1 ? 1 : hours < 8 ? 2 : hours < 72 ? 4 : hours < 720 ? 8 : 16
    }

    var request: ResourceRequest {
        let estimate = seconds(threads: cpus)
        return ResourceRequest(
            cpus: cpus, memory: ResourceRequest.memory(megabytes: memoryBytes * 1.25 / 1_048_576),
            time: ResourceRequest.limit(estimate: estimate),
            estimatedSeconds: estimate, work: work)
    }
}

extension TrainKind {
    func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest {
        (try? TrainingCost(Parameters(parameters), lookup: lookup).request)
            ?? ResourceRequest(cpus: 2, memory: "8G", time: "1-00:00:00")
    }
}

extension EvaluateKind {
    func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest {
        let p = Parameters(parameters)
        let run = lookup(p.run).map(TrainKind.Parameters.init)
        return run.flatMap { try? TrainingCost(evaluating: $0, batch: p.batchSize, lookup: lookup).request }
            ?? ResourceRequest(cpus: 1, memory: "4G", time: "01:00:00")
    }
}
