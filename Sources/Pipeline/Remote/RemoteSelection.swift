import Foundation
import Support

/// What a push or pull moves: for each selected stage (the named ones and their upstream
/// closure, or every stage), the key its lock entry names. Stages that share a key are
/// moved once.
struct RemoteSelection {
    struct Item {
        /// The stages with this key, in execution order.
        let stages: [String]
        let key: String
        /// The lock's entry (volatile outputs unnamed, unless this store has the run record).
        let entry: StageRecord

        var label: String {
            stages.count == 1 ? "stage '\(stages[0])'" : "stages '\(stages.joined(separator: "', '"))'"
        }
    }

    let items: [Item]

    /// `targets` nil: every stage of the pipeline. Stages the lock does not name are an
    /// error (exit 1): there is nothing to move for them.
    init(pipeline: PipelineDefinition, artifacts: Artifacts, targets: [String]?) throws {
        let selection = try Plan.selection(pipeline, targets: targets)
        let lock = try LockFile.read(artifacts.lockFile(profile: pipeline.profile))
        let absent = selection.filter { lock.stages[$0] == nil }
        guard absent.isEmpty else {
            throw PipelineError.failed(
                "\(pipeline.profile).lock names no result for \(Self.list(absent)); run them first (repro all "
                    + "--profile \(pipeline.profile))")
        }
        var order: [String] = []
        var byKey: [String: (stages: [String], entry: StageRecord)] = [:]
        for stage in selection {
            let entry = lock.stages[stage]!
            if byKey[entry.key] == nil { order.append(entry.key) }
            byKey[entry.key, default: ([], entry)].stages.append(stage)
        }
        items = order.map { Item(stages: byKey[$0]!.stages, key: $0, entry: byKey[$0]!.entry) }
    }

    /// `3 stage(s): a, b, c`, at most five names.
    static func list(_ stages: [String]) -> String {
        "\(stages.count) stage(s): \(stages.prefix(5).joined(separator: ", "))\(stages.count > 5 ? ", …" : "")"
    }
}
