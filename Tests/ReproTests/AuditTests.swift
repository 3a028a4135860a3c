import Foundation
import Pipeline
import Support
import TestSupport
import XCTest

/// `repro audit` end to end on the small paper-shaped project (3 epochs, a state published
/// after every epoch): an honest run passes; a forged one fails naming the stage and epoch.
final class AuditTests: ScratchTestCase {
    /// The project trained honestly, and `forger`: the same student with another learning
    /// rate, whose outputs the forgeries pass off under the honest key.
    func projects(forger: Bool = true) throws -> (honest: PaperProject, forger: PaperProject?) {
        let honest = try project("honest")
        XCTAssertEqual(try honest.run(["all"]).status, 0)
        guard forger else { return (honest, nil) }
        let other = try project("forger")
        try other.edit("label_smoothing: 0.1}", "label_smoothing: 0.1, lr: 0.05}")
        XCTAssertEqual(try other.run(["stage", "student"]).status, 0)
        return (honest, other)
    }

    func project(_ name: String) throws -> PaperProject {
        let project = try PaperProject.create(at: directory.appendingPathComponent(name))
        try project.edit("warmup_epochs: 1}", "warmup_epochs: 1, proof_every: 1}")
        return project
    }

    func testAnHonestRunPassesSampledAndWhole() throws {
        let (honest, _) = try projects(forger: false)
        let outputs = try XCTUnwrap(honest.lock().stages["student"]?.outputs)
        XCTAssertEqual(
            Set(outputs.keys), ["checkpoint", "history", "timing", "proof", "state.0001", "state.0002"])
        let sampled = try honest.run(["audit", "--sample", "2", "--seed", "7"])
        XCTAssertEqual(sampled.status, 0, sampled.output)
        XCTAssertTrue(sampled.output.contains("seed 7 (repeat with --seed 7)"), sampled.output)
        XCTAssertTrue(sampled.output.contains("(2 of 3 segments, 2 of 3 epochs)"), sampled.output)
        // Two of three one-epoch segments: a faked epoch escapes only when the third is its own.
        XCTAssertTrue(
            sampled.output.contains("caught if 5 % / 10 % / 25 % of its epochs were faked: 66.7 % / 66.7 % / 66.7 %"),
            sampled.output)
        XCTAssertTrue(sampled.output.contains("verified: 2 stages reproduce the lock"), sampled.output)
        XCTAssertTrue(sampled.output.contains("audit passed"), sampled.output)
        let whole = try honest.run(["audit", "--sample", "all"])
        XCTAssertEqual(whole.status, 0, whole.output)
        XCTAssertTrue(whole.output.contains("replayed epochs 0→1, 1→2, 2→3 (3 of 3 segments"), whole.output)
        XCTAssertTrue(whole.output.contains("replayed 100.0 % of the training compute"), whole.output)
        XCTAssertTrue(whole.output.contains("100.0 % / 100.0 % / 100.0 %"), whole.output)
    }

    func testARepeatedSeedReplaysTheSameSegments() throws {
        let (honest, _) = try projects(forger: false)
        func replayed(_ seed: String) throws -> String {
            let run = try honest.run(["audit", "--sample", "1", "--seed", seed, "student"])
            XCTAssertEqual(run.status, 0, run.output)
            return try XCTUnwrap(
                run.output.split(separator: "\n").first { $0.hasPrefix("ok student") }.map(String.init))
        }
        let first = try replayed("123")
        XCTAssertEqual(try replayed("123"), first)
        // Some other seed picks another segment of the three.
        let others = try ["1", "2", "3", "4", "5"].map(replayed)
        XCTAssertTrue(others.contains { $0 != first }, "\(others)")
    }

    func testOutputsOfAnotherLearningRateUnderTheHonestKeyFail() throws {
        let (honest, forger) = try projects()
        let forged = try XCTUnwrap(forger?.lock().stages["student"]?.outputs)
        try transplant(forged.filter { !$0.value.volatile }.mapValues(\.sha256), from: forger!, into: honest)
        let audit = try honest.run(["audit", "--sample", "1", "--seed", "1"])
        XCTAssertEqual(audit.status, 1, audit.output)
        XCTAssertTrue(audit.output.contains("MISMATCH student: epoch 0: state sha256"), audit.output)
        XCTAssertTrue(audit.output.contains("(recomputed from the recipe) vs"), audit.output)
    }

    func testAReplacedStateFailsOnReplay() throws {
        let (honest, forger) = try projects()
        let record = try XCTUnwrap(honest.lock().stages["student"])
        let fake = try XCTUnwrap(forger?.lock().stages["student"]?.outputs["state.0001"]?.sha256)
        // The chain rewritten around the fake state, consistently: only a replay can tell.
        let proofURL = Artifacts(root: honest.root.appendingPathComponent("artifacts")).store.path(
            record.outputs["proof"]!.sha256)
        var proof = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: proofURL)) as? [String: Any])
        var states = try XCTUnwrap(proof["links"] as? [[String: Any]]).map { $0["state"] as! String }
        states[1] = fake
        proof["links"] = Self.chain(states)
        let proofFile = directory.appendingPathComponent("proof.json")
        try JSONSerialization.data(withJSONObject: proof, options: [.sortedKeys, .prettyPrinted]).write(to: proofFile)
        let newProof = try Artifacts(root: honest.root.appendingPathComponent("artifacts")).store.put(
            copying: proofFile)
        try transplant(["state.0001": fake, "proof": newProof], from: forger!, into: honest)

        let audit = try honest.run(["audit", "--sample", "all"])
        XCTAssertEqual(audit.status, 1, audit.output)
        XCTAssertTrue(audit.output.contains("MISMATCH student: epoch 1: state sha256 "), audit.output)
        XCTAssertTrue(audit.output.contains("(replayed) vs \(fake) (chain)"), audit.output)
    }

    func testACheckpointThatIsNotTheChainsLastStateFails() throws {
        let (honest, forger) = try projects()
        let other = try XCTUnwrap(forger?.lock().stages["student"]?.outputs["checkpoint"]?.sha256)
        try transplant(["checkpoint": other], from: forger!, into: honest)
        let audit = try honest.run(["audit", "--sample", "1"])
        XCTAssertEqual(audit.status, 1, audit.output)
        XCTAssertTrue(
            audit.output.contains("MISMATCH student: epoch 3: output checkpoint sha256 \(other) is not the chain's"),
            audit.output)
    }

    func testAStaleStageIsRefused() throws {
        let (honest, _) = try projects(forger: false)
        try honest.edit("label_smoothing: 0.1}", "label_smoothing: 0.2}")
        let audit = try honest.run(["audit"])
        XCTAssertEqual(audit.status, 1, audit.output)
        XCTAssertTrue(audit.output.contains("audit: stage student is not up to date"), audit.output)
    }

    // MARK: forging

    /// Records `outputs` (name → sha256, blobs from `source`'s store) as the student's under
    /// its honest key, in the run record and the lock, then reruns what depends on it: the
    /// forger's evaluation and table are computed honestly from the forged training.
    func transplant(_ outputs: [String: String], from source: PaperProject, into target: PaperProject) throws {
        let from = Artifacts(root: source.root.appendingPathComponent("artifacts"))
        let to = Artifacts(root: target.root.appendingPathComponent("artifacts"))
        for sha in outputs.values where !to.store.contains(sha) { try to.store.put(copying: from.store.path(sha)) }
        let key = try XCTUnwrap(target.lock().stages["student"]?.key)
        let record = to.root.appendingPathComponent("cache/runs/\(key).json")
        try rewrite(record) { try Self.replace(outputs, in: &$0, store: to.store) }
        try rewrite(target.lockFile) { lock in
            var stages = lock["stages"] as! [String: Any]
            var student = stages["student"] as! [String: Any]
            try Self.replace(outputs, in: &student, store: to.store)
            stages["student"] = student
            lock["stages"] = stages
        }
        let rerun = try target.run(["all"])
        XCTAssertEqual(rerun.status, 0, rerun.output)
        let now = try XCTUnwrap(target.lock().stages["student"]?.outputs)
        for (name, sha) in outputs { XCTAssertEqual(now[name]?.sha256, sha, "\(name) is the forged one") }
    }

    static func replace(_ outputs: [String: String], in record: inout [String: Any], store: ContentStore) throws {
        var recorded = record["outputs"] as! [String: Any]
        for (name, sha) in outputs {
            recorded[name] = ["sha256": sha, "size": store.size(sha), "volatile": false] as [String: Any]
        }
        record["outputs"] = recorded
    }

    func rewrite(_ url: URL, _ change: (inout [String: Any]) throws -> Void) throws {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        try change(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]).write(to: url)
    }

    /// The proof's links for `states`, computed here from the definition: chain_0 = state_0,
    /// chain_e = SHA-256(chain_{e-1} || state_e) over the raw digests.
    static func chain(_ states: [String]) -> [[String: Any]] {
        var links: [[String: Any]] = []
        var previous: String?
        for (epoch, state) in states.enumerated() {
            let chain = previous.map { FileDigest.sha256(Data(bytes($0) + bytes(state))) } ?? state
            links.append(["epoch": epoch, "state": state, "chain": chain])
            previous = chain
        }
        return links
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(bytes: digits[$0..<$0 + 2], encoding: .utf8)!, radix: 16)!
        }
    }
}
