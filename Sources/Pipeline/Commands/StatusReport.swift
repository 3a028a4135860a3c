import Foundation
import Support

/// One stage in `repro status`.
public struct StageStatus: Sendable {
    public enum State: String, Sendable {
        case upToDate = "up to date"
        case stale = "stale"
        case neverRun = "never run"
    }

    public let name: String
    public let state: State
    public let reasons: [StaleReason]
    /// The key the stage has now; nil while a dependency is stale.
    public let key: String?
    /// The lock's entry.
    public let record: StageRecord?
}

/// Every stage of a pipeline, up to date or stale with all its reasons, judged against
/// `artifacts/<profile>.lock` and the store.
public struct StatusReport: Sendable {
    public let profile: String
    public let stages: [StageStatus]

    public static func compute(
        pipeline: PipelineDefinition, artifacts: Artifacts, forced: Set<String> = []
    ) throws -> StatusReport {
        let lock = try LockFile.read(artifacts.lockFile(profile: pipeline.profile))
        let hashes = HashCache(file: artifacts.hashes)
        defer { hashes.save() }
        var statuses: [StageStatus] = []
        var outputs: [String: [String: String]] = [:]
        for stage in pipeline.stages {
            let record = lock.stages[stage.name]
            let deps = Dictionary(uniqueKeysWithValues: stage.dependencies.map { ($0, outputs[$0]) })
            let evaluation = StageEvaluation(
                stage: stage, record: record, dependencies: deps, forced: forced.contains(stage.name),
                pipelineDirectory: pipeline.directory, hashes: hashes, artifacts: artifacts)
            let state: StageStatus.State
            if evaluation.isUpToDate {
                state = .upToDate
                outputs[stage.name] = record!.stableOutputs
            } else {
                state = evaluation.reasons.first == .noRecord(cached: false) ? .neverRun : .stale
            }
            statuses.append(
                StageStatus(
                    name: stage.name, state: state, reasons: evaluation.reasons, key: evaluation.key, record: record))
        }
        return StatusReport(profile: pipeline.profile, stages: statuses)
    }

    /// One line per stage, one indented line per reason, then the counts.
    public var text: String {
        let width = stages.map(\.name.count).max() ?? 0
        var lines: [String] = []
        for stage in stages {
            lines.append(stage.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + stage.state.rawValue)
            if stage.state != .upToDate {
                lines += stage.reasons.map { "    - \($0)" }
            }
        }
        let counts = [StageStatus.State.upToDate, .stale, .neverRun].map { state in
            "\(stages.filter { $0.state == state }.count) \(state.rawValue)"
        }
        lines.append("profile \(profile): " + counts.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// `repro status --json`: per stage its state, reasons, key, outputs (with their
    /// path in the cache) and metrics, in execution order.
    public func json(artifacts: Artifacts) throws -> JSONValue {
        .object([
            "profile": .string(profile),
            "stages": .array(
                try stages.map { stage in
                    var object: [String: JSONValue] = [
                        "name": .string(stage.name),
                        "state": .string(stage.state.rawValue),
                        "reasons": .array(stage.reasons.map { .string($0.description) }),
                        "key": stage.key.map { .string($0) } ?? .null,
                    ]
                    if let record = stage.record {
                        object["recordedKey"] = .string(record.key)
                        object["outputs"] = .array(
                            record.outputs.sorted { $0.key < $1.key }.map { name, output in
                                .object([
                                    "name": .string(name),
                                    "path": .string(artifacts.store.path(output.sha256).path),
                                    "sha256": .string(output.sha256),
                                    "size": .int(Int(output.size)),
                                    "volatile": .bool(output.volatile),
                                ])
                            })
                        object["metrics"] = try JSONValue(encoding: record.metrics)
                    }
                    return .object(object)
                }),
        ])
    }
}
