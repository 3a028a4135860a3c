import Foundation
import NN
import Tensor
import XCTest

/// Whole training steps: bitwise equal for any thread count, and able to learn.
final class TrainingLoopTests: XCTestCase {
    /// `steps` NAG steps on a fixed batch; returns the parameters and the training-mode accuracy per step.
    static func train(
        _ name: String, width: Double, batch: Int, classes: Int, steps: Int, rate: Float,
        threads: Int = 1
    ) throws -> ([Float], [Double]) {
        let model = try Model(name: name, classes: classes, widthMultiplier: width, seed: 3)
        model.context.threads = threads
        let x = randomFloats(batch * 3 * 32 * 32, seed: 5), labels = randomLabels(batch, classes: classes, seed: 5)
        let sgd = SGD(
            parameters: model.parameters, momentum: 0.9, nesterov: true,
            weightDecay: WeightDecay(rate: 1e-4, kinds: model.parameterKinds))
        var accuracies: [Double] = []
        for _ in 0..<steps {
            let logits = model.forward(x, batch: batch, training: true)
            let output = SoftmaxCrossEntropy.loss(logits: logits, labels: labels, classes: classes)
            XCTAssertTrue(output.isFinite)
            let correct = (0..<batch).filter { n in
                let row = logits[n * classes..<(n + 1) * classes]
                return row.firstIndex(of: row.max()!)! - n * classes == labels[n]
            }.count
            accuracies.append(Double(correct) / Double(batch))
            model.zeroGradients()
            model.backward(output.dLogits)
            sgd.step(parameters: model.parameters, gradients: model.gradients, learningRate: rate)
        }
        return (parameterBytes(model) + model.buffers.storage.array, accuracies)
    }

    func testStepsAreBitwiseIdenticalForAnyThreadCount() throws {
        for (name, width, batch) in [("cifar_resnet20_v1", 0.5, 11), ("cifar_resnext29_2x4d", 0.25, 6)] {
            let one = try Self.train(name, width: width, batch: batch, classes: 10, steps: 2, rate: 0.1).0
            for threads in [2, 4, 7, 64] {  // 4 and more split images into parts (ImageParts)
                XCTAssertEqual(
                    one,
                    try Self.train(name, width: width, batch: batch, classes: 10, steps: 2, rate: 0.1, threads: threads)
                        .0,
                    "\(name), \(threads) threads")
            }
        }
    }

    /// Each model computes in its own context: two trainings at once in one process, each
    /// on its own thread with its own share, give the bytes of each alone.
    func testTwoModelsTrainedConcurrentlyGiveTheBytesOfEachAlone() throws {
        let runs: [(String, Double, Int)] = [("cifar_resnet20_v1", 0.5, 11), ("cifar_resnext29_2x4d", 0.25, 6)]
        let alone = try runs.map { try Self.train($0.0, width: $0.1, batch: $0.2, classes: 10, steps: 2, rate: 0.1).0 }
        let together = ConcurrentResults(count: runs.count)
        DispatchQueue.concurrentPerform(iterations: runs.count) { i in
            together.set(
                i,
                try? Self.train(
                    runs[i].0, width: runs[i].1, batch: runs[i].2, classes: 10, steps: 2, rate: 0.1,
                    threads: 1 + i
                ).0)
        }
        for i in runs.indices { XCTAssertEqual(together.get(i), alone[i], runs[i].0) }
    }

    func testTinyResNet20OverfitsABatch() throws {
        let accuracies = try Self.train(
            "cifar_resnet20_v1", width: 0.25, batch: 64, classes: 10, steps: 300, rate: 0.05, threads: 2
        ).1
        XCTAssertGreaterThan(
            accuracies.suffix(5).min()!, 0.95,
            "accuracy went \(accuracies.enumerated().filter { $0.offset % 25 == 0 }.map(\.element))")
    }
}

/// Results written by concurrent workers, one slot each.
final class ConcurrentResults: @unchecked Sendable {
    private var values: [[Float]?]
    private let lock = NSLock()

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ i: Int, _ value: [Float]?) {
        lock.lock()
        defer { lock.unlock() }
        values[i] = value
    }

    func get(_ i: Int) -> [Float]? {
        lock.lock()
        defer { lock.unlock() }
        return values[i]
    }
}
