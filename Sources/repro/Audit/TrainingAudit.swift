import Dataset
import Foundation
import NN
import Pipeline
import Support
import Tensor
import Training

/// One training stage's audit against its lock entry: the proof is whole (its chain
/// follows from its states, the published states and the final checkpoint are its
/// states, the history is the checkpoint's), the initial state is the one the recipe and
/// seed give, and the sampled segments, replayed with the stage's own recipe from their
/// published start, give every state hash of the chain bit for bit.
struct TrainingAudit {
    /// Where and why the audit stopped: the epoch is nil when no epoch is to blame.
    struct Failure: Error {
        let epoch: Int?
        let message: String
    }

    struct Result {
        let stage: String
        var epochs = 0
        var every = 1
        var segments = 0
        var replayed: [ClosedRange<Int>] = []
        var failure: Failure?

        var replayedEpochs: Int { replayed.map { $0.upperBound - $0.lowerBound }.reduce(0, +) }
    }

    let stage: ResolvedStage
    let entry: StageRecord
    let store: ContentStore
    let scratch: URL
    let threads: Int

    func run(_ sample: SegmentSample, progress: (String) -> Void) -> Result {
        var result = Result(stage: stage.name)
        do {
            let p = TrainKind.Parameters(stage.runParameters)
            let chain = try proof(p)
            (result.epochs, result.every, result.segments) = (chain.epochs, chain.every, chain.segments.count)
            try checkOutputs(chain)
            let (dataset, teacher) = try TrainKind.inputs(p, output: dependencyBlob)
            let trainer = { (directory: URL) in
                try Trainer(
                    config: p.config, dataset: dataset, teacher: teacher, workDirectory: directory,
                    environment: NumericEnvironment.current.description, threads: threads, report: { _ in })
            }
            try checkInitialState(chain, trainer(scratch))
            for index in sample.indices(of: chain.segments.count, stage: stage.name) {
                let segment = chain.segments[index]
                progress("replaying \(stage.name) epochs \(segment.lowerBound)→\(segment.upperBound)")
                try replay(segment, chain, trainer)
                result.replayed.append(segment)
            }
        } catch let failure as Failure {
            result.failure = failure
        } catch {
            result.failure = Failure(epoch: nil, message: "\(error)")
        }
        return result
    }

    /// The `proof` output, checked for its own consistency and its fit to the recipe.
    private func proof(_ p: TrainKind.Parameters) throws -> ProofChain {
        let data = try Data(contentsOf: try blob("proof"))
        guard let chain = try? JSONValue.decode(ProofChain.self, from: data), chain.format == ProofChain.currentFormat
        else { throw Failure(epoch: nil, message: "output proof is not a repro proof") }
        guard chain.every == p.proofEvery, chain.epochs == p.config.epochs, chain.links.count == chain.epochs + 1
        else {
            throw Failure(
                epoch: nil,
                message: "the proof covers \(chain.links.count - 1) of \(chain.epochs) epochs, every \(chain.every); "
                    + "the recipe trains \(p.config.epochs), every \(p.proofEvery)")
        }
        if let broken = chain.firstBrokenLink {
            throw Failure(epoch: broken, message: "the chain's link does not follow from the states before it")
        }
        return chain
    }

    /// The published states and the final checkpoint are the chain's; the history is the checkpoint's.
    private func checkOutputs(_ chain: ProofChain) throws {
        let published = Set(chain.publishedEpochs.map { ProofChain.outputName(epoch: $0) })
        let named = Set(entry.outputs.keys.filter { $0.hasPrefix("state.") })
        guard named == published else {
            throw Failure(
                epoch: nil,
                message: "outputs \(named.sorted().joined(separator: ", ")) are not the published states "
                    + "\(published.sorted().joined(separator: ", "))")
        }
        for epoch in chain.publishedEpochs {
            try expect(output: ProofChain.outputName(epoch: epoch), is: chain.links[epoch].state, epoch: epoch)
        }
        try expect(output: "checkpoint", is: chain.links[chain.epochs].state, epoch: chain.epochs)
        let history = try JSONValue.data(Checkpoint.history(try blob("checkpoint")), .foundationPretty)
        guard FileDigest.sha256(history) == entry.outputs["history"]?.sha256 else {
            throw Failure(epoch: chain.epochs, message: "output history is not the checkpoint's history")
        }
    }

    private func expect(output name: String, is state: String, epoch: Int) throws {
        let sha = entry.outputs[name]?.sha256 ?? "(none)"
        guard sha == state else {
            throw Failure(epoch: epoch, message: "output \(name) sha256 \(sha) is not the chain's state \(state)")
        }
    }

    private func checkInitialState(_ chain: ProofChain, _ trainer: Trainer) throws {
        let file = scratch.appendingPathComponent("initial-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: file) }
        try trainer.writeInitialState(to: file)
        let sha = try FileDigest.sha256(file)
        guard sha == chain.links[0].state else {
            throw Failure(
                epoch: 0, message: "state sha256 \(sha) (recomputed from the recipe) vs \(chain.links[0].state) (chain)"
            )
        }
    }

    /// Trains from the segment's first state to its last, comparing each state as it is
    /// written (the first difference stops the replay).
    private func replay(
        _ segment: ClosedRange<Int>, _ chain: ProofChain, _ trainer: (URL) throws -> Trainer
    ) throws {
        let directory = scratch.appendingPathComponent("\(stage.name)-\(segment.lowerBound)")
        try? FileManager.default.removeItem(at: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        let replaying = try trainer(directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if segment.lowerBound > 0 {
            try HardLink.make(try blob(ProofChain.outputName(epoch: segment.lowerBound)), at: replaying.stateFile)
        }
        replaying.observeState = { epoch, file in
            let sha = try FileDigest.sha256(file)
            guard sha == chain.links[epoch].state else {
                throw Failure(
                    epoch: epoch, message: "state sha256 \(sha) (replayed) vs \(chain.links[epoch].state) (chain)")
            }
        }
        do {
            _ = try replaying.run(stageName: stage.name, through: segment.upperBound)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(epoch: segment.lowerBound, message: "the replay from this epoch failed: \(error)")
        }
    }

    private func blob(_ output: String) throws -> URL {
        guard let sha = entry.outputs[output]?.sha256 else {
            throw Failure(epoch: nil, message: "the lock names no output \(output) (trained before train kind 10?)")
        }
        return try present(sha, "output \(output)")
    }

    private func dependencyBlob(_ dependency: String, _ output: String) throws -> URL {
        guard let sha = entry.fingerprint.dependencies[dependency]?[output] else {
            throw Failure(epoch: nil, message: "the lock names no output \(output) of \(dependency)")
        }
        return try present(sha, "output \(output) of \(dependency)")
    }

    private func present(_ sha: String, _ what: String) throws -> URL {
        let url = store.path(sha)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw Failure(epoch: nil, message: "\(what) (\(sha)) is not in the local store; pull it first")
        }
        return url
    }
}
