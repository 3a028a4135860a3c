import Dataset
import Foundation
import NN
import Tensor
import TestSupport
import XCTest

@testable import Training

/// The epoch loop on a small generated dataset with a tiny ResNet20.
final class TrainerTests: ScratchTestCase {
    let dataset = SyntheticCIFAR(trainCount: 200, testCount: 60, fineClasses: 4, coarseClasses: 2, seed: 3).dataset()

    func config(epochs: Int = 3) -> TrainingConfig {
        var c = TrainingConfig()
        c.model = "cifar_resnet20_v1"
        c.widthMultiplier = 0.25
        c.epochs = epochs
        c.batchSize = 50
        c.evalBatchSize = 32
        c.schedule = .cosine
        c.warmupEpochs = 1
        c.labelSmoothing = 0.1
        c.mixup = "interpolation"
        c.seed = 11
        return c
    }

    func train(
        _ config: TrainingConfig, in work: String, teacher: Model? = nil, threads: Int = 2,
        stopAfter steps: Int? = nil, messages: UnsafeMutablePointer<[String]>? = nil
    ) throws -> TrainingOutcome {
        var taken = 0
        let trainer = try Trainer(
            config: config, dataset: dataset, teacher: teacher,
            workDirectory: directory.appendingPathComponent(work), environment: "test", threads: threads,
            report: { messages?.pointee.append($0) },
            isCancelled: {
                taken += 1
                return steps.map { taken > $0 } ?? false
            })
        return try trainer.run(stageName: "student")
    }

    func testInterruptedRunResumesToTheSameBytes() throws {
        let straight = try train(config(), in: "straight")
        XCTAssertEqual(straight.history.count, 3)
        XCTAssertNil(straight.resumedFrom)

        // 4 batches per epoch: stop in the middle of the second epoch.
        XCTAssertThrowsError(try train(config(), in: "interrupted", stopAfter: 6)) {
            XCTAssertEqual($0 as? TrainingError, .cancelled)
        }
        var messages: [String] = []
        let resumed = try train(config(), in: "interrupted", threads: 1, messages: &messages)
        XCTAssertEqual(resumed.resumedFrom, 1)
        XCTAssertTrue(messages.contains("resuming student from epoch 1 of 3, step 2"), "\(messages)")
        XCTAssertEqual(resumed.history, straight.history)
        XCTAssertEqual(
            try Data(contentsOf: resumed.checkpoint), try Data(contentsOf: straight.checkpoint),
            "a resumed run (on another thread count) ends with the bytes of an uninterrupted one")
    }

    /// Training on devices is a run of its own (each part has its own batch statistics),
    /// resumable like any other.
    func testDevicesSplitTheBatchAndResumeToTheSameBytes() throws {
        var two = config(epochs: 2)
        two.devices = 2
        let straight = try train(two, in: "devices")
        let single = try train(config(epochs: 2), in: "single")
        XCTAssertNotEqual(try Data(contentsOf: straight.checkpoint), try Data(contentsOf: single.checkpoint))
        XCTAssertThrowsError(try train(two, in: "devices-interrupted", stopAfter: 5))
        let resumed = try train(two, in: "devices-interrupted", threads: 1)
        XCTAssertEqual(try Data(contentsOf: resumed.checkpoint), try Data(contentsOf: straight.checkpoint))
    }

    /// A run stopped every 3 steps (a time limit in the middle of epochs, as under Slurm)
    /// continues each time at the step it reached and ends with the bytes of one run.
    func testRunStoppedManyTimesMidEpochEndsWithTheSameBytes() throws {
        let straight = try train(config(), in: "straight")
        var continuations = 0
        var outcome: TrainingOutcome?
        while outcome == nil {
            do {
                outcome = try train(config(), in: "sliced", threads: continuations % 2 + 1, stopAfter: 3)
            } catch TrainingError.cancelled {
                continuations += 1
                XCTAssertLessThan(continuations, 20, "no progress between continuations")
                if continuations >= 20 { return }
            }
        }
        XCTAssertEqual(continuations, 3, "12 steps, 3 per run: stopped three times")
        XCTAssertEqual(outcome?.history, straight.history)
        XCTAssertEqual(try Data(contentsOf: outcome!.checkpoint), try Data(contentsOf: straight.checkpoint))
    }

    func testCheckpointRoundTripsTheModel() throws {
        let outcome = try train(config(epochs: 1), in: "one")
        let model = try Checkpoint.loadModel(outcome.checkpoint)
        XCTAssertEqual(model.name, "cifar_resnet20_v1")
        XCTAssertEqual(model.classes, 4)
        let loader = BatchLoader.evaluation(split: dataset.test, classes: 4, batchSize: 32)
        let evaluation = Evaluation.run(model, loader: loader)
        XCTAssertEqual(
            evaluation.top1, outcome.history.last?.testTop1, "the saved model evaluates as it did in training")
        XCTAssertEqual(try Checkpoint.history(outcome.checkpoint), outcome.history)
    }

    /// A data-parallel rank restores its slice of the whole state a checkpoint holds.
    func testARankRestoresItsSliceOfTheSavedOptimizerState() throws {
        var adam = config(epochs: 1)
        adam.optimizer = .adam
        let state = try train(adam, in: "adam").checkpoint
        func restored(_ slice: Range<Int>?) throws -> any Optimizer {
            let model = try Model(name: adam.model, classes: 4, widthMultiplier: adam.widthMultiplier)
            let optimizer = adam.makeOptimizer(for: model, slice: slice)
            _ = try Checkpoint.restore(
                from: state, model: model, optimizer: optimizer, config: adam, environment: "test")
            return optimizer
        }
        let whole = try restored(nil), slice = 1000..<3000
        let part = try restored(slice)
        XCTAssertEqual(part.updates, whole.updates)
        XCTAssertEqual(part.state.keys.sorted(), ["mean", "variance"])
        for (name, values) in part.state {
            XCTAssertEqual(values.storage.array, Array(whole.state[name]!.storage.array[slice]), name)
        }
    }

    func testAnotherConfigurationDoesNotResumeSilently() throws {
        _ = try train(config(epochs: 1), in: "shared")
        var other = config(epochs: 1)
        other.learningRate = 0.05
        // The same state file under another configuration is refused, not mixed in.
        let state = directory.appendingPathComponent("shared/state.h5")
        let model = try Model(name: other.model, classes: 4, widthMultiplier: other.widthMultiplier)
        XCTAssertThrowsError(
            try Checkpoint.restore(
                from: state, model: model, optimizer: other.makeOptimizer(for: model), config: other,
                environment: "test")
        ) {
            XCTAssertTrue("\($0)".contains("another configuration"), "\($0)")
        }
    }

    /// Runs asking for the environment at once (`-j 2` trains two models in one process)
    /// all get the same string, which checkpoints record: OpenBLAS rebuilds its
    /// configuration string in one static buffer on every call (`BLAS.configuration`).
    func testTheNumericEnvironmentIsTheSameWhenAskedAtOnce() {
        let expected = NumericEnvironment.current.description
        let lock = NSLock()
        var seen: Set<String> = []
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            var answers: Set<String> = []
            for _ in 0..<2000 { answers.insert(NumericEnvironment.current.description) }
            lock.lock(); seen.formUnion(answers); lock.unlock()
        }
        XCTAssertEqual(seen, [expected])
    }

    func testAnotherNumericEnvironmentDoesNotResume() throws {
        XCTAssertThrowsError(try train(config(epochs: 2), in: "env", stopAfter: 5), "stopped after the first epoch")
        let trainer = try Trainer(
            config: config(epochs: 2), dataset: dataset, teacher: nil,
            workDirectory: directory.appendingPathComponent("env"), environment: "another BLAS",
            threads: 1, report: { _ in })
        XCTAssertThrowsError(try trainer.run(stageName: "student")) {
            XCTAssertTrue("\($0)".contains("another numeric environment"), "\($0)")
        }
    }

    func testDivergenceStopsWithEpochAndStep() throws {
        var c = config(epochs: 2)
        c.learningRate = 1e30
        c.warmupEpochs = 0
        XCTAssertThrowsError(try train(c, in: "diverge")) { error in
            guard case .diverged(let epoch, let step, _, _) = error as? TrainingError else {
                return XCTFail("\(error)")
            }
            XCTAssertGreaterThanOrEqual(epoch, 1)
            XCTAssertGreaterThanOrEqual(step, 1)
            XCTAssertTrue("\(error)".contains("at epoch \(epoch), step \(step)"), "\(error)")
        }
    }

    func testTeacherWithAnotherClassCountIsRefused() throws {
        let teacher = try Model(name: "cifar_resnet20_v1", classes: 7, widthMultiplier: 0.25)
        XCTAssertThrowsError(try train(config(epochs: 1), in: "kd", teacher: teacher)) {
            XCTAssertTrue("\($0)".contains("7 classes"), "\($0)")
        }
    }

    /// The teacher runs in inference mode: its running statistics never move, and the
    /// soft targets are those of its evaluation-mode logits on the student's batch.
    func testTeacherStaysInInferenceMode() throws {
        let teacher = try Model(name: "cifar_resnet20_v1", classes: 4, widthMultiplier: 0.25, seed: 5)
        let before = Array(UnsafeBufferPointer(start: teacher.buffers.pointer, count: teacher.buffers.count))
        var c = config(epochs: 1)
        c.temperature = 4
        let distilled = try train(c, in: "kd", teacher: teacher)
        let after = Array(UnsafeBufferPointer(start: teacher.buffers.pointer, count: teacher.buffers.count))
        XCTAssertEqual(before, after, "BN running statistics of the teacher are untouched")
        let plain = try train(c, in: "plain")
        XCTAssertNotEqual(distilled.history, plain.history, "the teacher changes the student's training")

        // Same batch through the trainer's step: its soft targets come from eval-mode logits.
        let trainer = try Trainer(
            config: c, dataset: dataset, teacher: teacher, workDirectory: directory.appendingPathComponent("probe"),
            environment: "test", threads: 1, report: { _ in })
        let loader = BatchLoader.training(split: dataset.train, classes: 4, batchSize: 50, seed: 11)
        var batch = Batch()
        XCTAssertTrue(loader.epoch(0).next(into: &batch))
        let evalLogits = teacher.forward(batch.images, batch: batch.count, training: false)
        let expected = Distillation(temperature: 4, hardWeight: 0.5).softTargets(teacherLogits: evalLogits, classes: 4)
        let targets = batch.images.withUnsafeBufferPointer {
            trainer.teacherSoftTargets($0.baseAddress!, 0..<batch.count, classes: 4)
        }
        XCTAssertEqual(targets, expected)
    }
}
