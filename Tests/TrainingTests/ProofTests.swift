import Dataset
import Foundation
import Support
import TestSupport
import XCTest

@testable import Training

/// The proof a training records of itself: its chain, its published states, and its
/// independence from the thread count.
final class ProofTests: ScratchTestCase {
    let dataset = SyntheticCIFAR(trainCount: 200, testCount: 60, fineClasses: 4, coarseClasses: 2, seed: 3).dataset()

    func config() -> TrainingConfig {
        var c = TrainingConfig()
        c.model = "cifar_resnet20_v1"
        c.widthMultiplier = 0.25
        c.epochs = 3
        c.batchSize = 50
        c.evalBatchSize = 32
        c.schedule = .cosine
        c.warmupEpochs = 1
        c.seed = 5
        return c
    }

    /// Trains with a `ProofRecorder` in `work`, as the train kind does.
    func train(in work: String, threads: Int, every: Int = 2) throws -> (ProofRecorder, TrainingOutcome) {
        let directory = directory.appendingPathComponent(work)
        let recorder = try ProofRecorder(
            directory: directory.appendingPathComponent("proof"), every: every, epochs: config().epochs)
        let trainer = try Trainer(
            config: config(), dataset: dataset, teacher: nil, workDirectory: directory, environment: "test",
            threads: threads, report: { _ in })
        trainer.observeState = recorder.record
        return (recorder, try trainer.run(stageName: "student"))
    }

    func testTheChainIsTheSameOnOneAndTwoThreads() throws {
        let (one, outcome) = try train(in: "one", threads: 1)
        let (two, _) = try train(in: "two", threads: 2)
        XCTAssertEqual(one.chain, two.chain)
        XCTAssertEqual(one.chain.links.count, 4, "the initial state and three epochs")
        XCTAssertEqual(one.chain.links.last?.state, try FileDigest.sha256(outcome.checkpoint), "the last state")
        XCTAssertNil(one.chain.firstBrokenLink)
        XCTAssertEqual(one.chain.publishedEpochs, [2])
        XCTAssertEqual(try FileDigest.sha256(one.stateFile(epoch: 2)), one.chain.links[2].state)
        XCTAssertEqual(one.chain.segments, [0...2, 2...3])
    }

    func testTheInitialStateIsTheRecipesAndTheFirstLink() throws {
        let (recorder, _) = try train(in: "run", threads: 2)
        let trainer = try Trainer(
            config: config(), dataset: dataset, teacher: nil, workDirectory: directory, environment: "test",
            threads: 1, report: { _ in })
        let initial = directory.appendingPathComponent("initial.h5")
        try trainer.writeInitialState(to: initial)
        XCTAssertEqual(try FileDigest.sha256(initial), recorder.chain.links[0].state)
        XCTAssertEqual(recorder.chain.links[0].chain, recorder.chain.links[0].state)
    }

    func testALinkThatDoesNotFollowIsFound() {
        var chain = ProofChain(every: 1, epochs: 3)
        for state in ["a", "b", "c", "d"] { chain.append(state: FileDigest.sha256(Data(state.utf8))) }
        XCTAssertNil(chain.firstBrokenLink)
        XCTAssertEqual(chain.publishedEpochs, [1, 2])
        XCTAssertEqual(ProofChain.outputName(epoch: 10), "state.0010")
        chain.links[2] = ProofChain.Link(
            epoch: 2, state: FileDigest.sha256(Data("x".utf8)), chain: chain.links[2].chain)
        XCTAssertEqual(chain.firstBrokenLink, 2)
    }

    func testAResumedRunKeepsItsChain() throws {
        let (straight, _) = try train(in: "straight", threads: 2)
        // A run killed after its second epoch, resumed: the chain continues from its file.
        let work = directory.appendingPathComponent("killed")
        let recorder = try ProofRecorder(
            directory: work.appendingPathComponent("proof"), every: 2, epochs: 3)
        let first = try Trainer(
            config: config(), dataset: dataset, teacher: nil, workDirectory: work, environment: "test", threads: 2,
            report: { _ in })
        first.observeState = recorder.record
        _ = try first.run(stageName: "student", through: 2)
        let (resumed, _) = try train(in: "killed", threads: 1)
        XCTAssertEqual(resumed.chain, straight.chain)
    }
}
