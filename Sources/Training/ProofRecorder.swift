import Foundation
import Support

/// Keeps a run's proof in its work directory while it trains (`Trainer.observeState`):
/// hashes each state the trainer has just written, extends the chain and keeps the states
/// to publish (hard links: the trainer replaces its state file by rename, so a link keeps
/// the epoch's bytes). Called again for a state it already has (a resume), it checks the
/// hash instead, so a crash between the trainer's write and this record loses nothing.
public final class ProofRecorder {
    public let directory: URL
    public private(set) var chain: ProofChain

    public var chainFile: URL { directory.appendingPathComponent("proof.json") }

    public init(directory: URL, every: Int, epochs: Int) throws {
        self.directory = directory
        chain = ProofChain(every: every, epochs: epochs)
        if let data = FileManager.default.contents(atPath: chainFile.path) {
            let saved = try? JSONValue.decode(ProofChain.self, from: data)
            guard let saved, saved.every == every, saved.epochs == epochs, saved.firstBrokenLink == nil else {
                throw TrainingError.checkpointMismatch(
                    "\(chainFile.path) is not this run's proof; delete \(directory.deletingLastPathComponent().path) "
                        + "to start over")
            }
            chain = saved
        }
    }

    /// The published state of `epoch` (see `ProofChain.publishedEpochs`).
    public func stateFile(epoch: Int) -> URL {
        directory.appendingPathComponent(ProofChain.outputName(epoch: epoch) + ".h5")
    }

    public func record(epoch: Int, state: URL) throws {
        let hash = try FileDigest.sha256(state)
        if epoch < chain.links.count {
            guard chain.links[epoch].state == hash else {
                throw TrainingError.checkpointMismatch(
                    "\(state.path) at epoch \(epoch) is not the state the proof recorded; delete "
                        + "\(directory.deletingLastPathComponent().path) to start over")
            }
            return
        }
        guard epoch == chain.links.count else {
            throw TrainingError.checkpointMismatch(
                "\(chainFile.path) ends at epoch \(chain.links.count - 1) but the state is at epoch \(epoch); delete "
                    + "\(directory.deletingLastPathComponent().path) to start over")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if chain.publishedEpochs.contains(epoch) {
            try? FileManager.default.removeItem(at: stateFile(epoch: epoch))
            try HardLink.make(state, at: stateFile(epoch: epoch))
        }
        chain.append(state: hash)
        try AtomicFile.write(JSONValue.data(chain, .foundationPretty), to: chainFile)
    }
}
