import Foundation
import Support

/// A training's proof of its own work: the SHA-256 of every epoch's full training state,
/// chained. A state is the checkpoint file the trainer writes at an epoch's end
/// (parameters, buffers, optimizer state, epoch, updates, history: everything a resume
/// needs, the RNG position included, since every draw is keyed by seed and epoch); its
/// bytes are deterministic, so a replay of any epoch from the state before it must give
/// the recorded hash exactly. `chain_0 = state_0`, `chain_e = SHA-256(chain_{e-1} || state_e)`
/// over the raw 32-byte digests: the last link commits to every state before it.
public struct ProofChain: Codable, Equatable, Sendable {
    public struct Link: Codable, Equatable, Sendable {
        public let epoch: Int
        /// SHA-256 of the state's checkpoint bytes.
        public let state: String
        public let chain: String
    }

    public static let currentFormat = "repro-proof"
    public var format = ProofChain.currentFormat
    public var version = 1
    /// States are published every `every` epochs (`proof_every`), besides the final checkpoint.
    public var every: Int
    public var epochs: Int
    /// One per state recorded so far: epoch 0 (the initial state) to the last one trained.
    public var links: [Link] = []

    public init(every: Int, epochs: Int) {
        self.every = every
        self.epochs = epochs
    }

    /// The name of the output holding the state after `epoch` (`state.0010`); the `state.`
    /// prefix marks intermediate training states (a pull of outputs only leaves them out).
    public static func outputName(epoch: Int) -> String { String(format: "state.%04d", epoch) }

    /// Epochs whose state is published as an output of its own: every `every`-th, except the
    /// last, whose state is the final checkpoint (the initial state is recomputed from the key).
    public var publishedEpochs: [Int] { Array(stride(from: every, to: epochs, by: every)) }

    /// What a replay covers at a time: from a published state (or the initial one) to the
    /// next, every state hash between them compared with the chain.
    public var segments: [ClosedRange<Int>] {
        let starts = [0] + publishedEpochs
        return starts.indices.map { starts[$0]...(($0 + 1 < starts.count) ? starts[$0 + 1] : epochs) }
    }

    public mutating func append(state: String) {
        let chain = links.last.map { Self.link($0.chain, state) } ?? state
        links.append(Link(epoch: links.count, state: state, chain: chain))
    }

    /// The first link whose epoch or chain value does not follow from the states before it.
    public var firstBrokenLink: Int? {
        var previous: String?
        for (index, link) in links.enumerated() {
            let expected = previous.map { Self.link($0, link.state) } ?? link.state
            if link.epoch != index || link.chain != expected { return index }
            previous = link.chain
        }
        return nil
    }

    static func link(_ previous: String, _ state: String) -> String {
        FileDigest.sha256(Data(bytes(hex: previous) + bytes(hex: state)))
    }

    private static func bytes(hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }
}
