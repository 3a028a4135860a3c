import Foundation

/// Compares a stage as the pipeline defines it now with its lock entry. Used by
/// `status` (with dependencies as the lock records them) and by the runner (with
/// dependencies as they just came out, so a rebuilt-but-identical upstream invalidates
/// nothing).
struct StageEvaluation {
    /// The current fingerprint; nil while a dependency's outputs are not known yet or
    /// an input file is missing.
    let fingerprint: StageFingerprint?
    let reasons: [StaleReason]

    var key: String? { fingerprint?.key }
    var isUpToDate: Bool { reasons.isEmpty }

    /// `dependencies`: per dependency, its non-volatile outputs' SHA-256, or nil when it
    /// is stale itself.
    init(
        stage: ResolvedStage, record: StageRecord?, dependencies: [String: [String: String]?], forced: Bool,
        pipelineDirectory: URL, hashes: HashCache, artifacts: Artifacts, checkOutputs: Bool = true
    ) {
        var reasons: [StaleReason] = []
        var inputs: [String: String] = [:]
        var inputsKnown = true
        for path in stage.kind.inputFiles(stage.parameters) {
            let url = URL(fileURLWithPath: path, relativeTo: pipelineDirectory)
            if let sha = try? hashes.sha256(url) {
                inputs[path] = sha
            } else {
                inputsKnown = false
                reasons.append(.inputMissing(path))
            }
        }
        let known = dependencies.compactMapValues { $0 }
        if inputsKnown && known.count == Set(stage.dependencies).count {
            fingerprint = StageFingerprint(
                kind: stage.kind.name, kindVersion: stage.kind.version, parameters: stage.keyParameters,
                dependencies: known, inputs: inputs)
        } else {
            fingerprint = nil
        }
        if forced { reasons.insert(.forced, at: 0) }
        guard let record else {
            // The key can be complete only when every input is known; then the store
            // may already hold its result (another profile, an earlier revision).
            let cached =
                fingerprint.map { FileManager.default.fileExists(atPath: artifacts.runRecord($0.key).path) } ?? false
            reasons.insert(.noRecord(cached: cached), at: 0)
            self.reasons = reasons
            return
        }
        let old = record.fingerprint
        if old.kind != stage.kind.name { reasons.append(.kindChanged(from: old.kind, to: stage.kind.name)) }
        if old.kindVersion != stage.kind.version {
            reasons.append(.kindVersionChanged(from: old.kindVersion, to: stage.kind.version))
        }
        // Keys hold the parameters that matter and differ from their defaults; a change
        // is shown with the defaults filled in ("param lr changed from 0.1 to 0.05").
        let current = stage.keyParameters
        for name in Set(old.parameters.values.keys).union(current.values.keys).sorted()
        where old.parameters[name] != current[name] {
            let declared = stage.kind.parameters.first { $0.name == name }?.defaultValue
            reasons.append(
                .parameterChanged(name: name, from: old.parameters[name] ?? declared, to: current[name] ?? declared))
        }
        let newDeps = Set(stage.dependencies).sorted()
        let oldDeps = old.dependencies.keys.sorted()
        if newDeps != oldDeps { reasons.append(.dependenciesChanged(from: oldDeps, to: newDeps)) }
        for dep in newDeps {
            if let outputs = dependencies[dep] ?? nil {
                if let recorded = old.dependencies[dep], recorded != outputs { reasons.append(.dependencyChanged(dep)) }
            } else {
                reasons.append(.dependencyStale(dep))
            }
        }
        for path in Set(old.inputs.keys).union(inputs.keys).sorted()
        where inputsKnown && old.inputs[path] != inputs[path] {
            reasons.append(.inputChanged(path))
        }
        if checkOutputs {
            // A volatile output the lock does not name (no run record here) cannot be
            // checked, and does not make the stage stale: nothing depends on its bytes.
            for (name, output) in record.outputs.sorted(by: { $0.key < $1.key }) where !output.isUnknown {
                let url = artifacts.store.path(output.sha256)
                switch (try? hashes.sha256(url)) ?? nil {
                case nil where OutputRecord.isIntermediate(name: name): break  // left out by pull --outputs-only
                case nil: reasons.append(.outputMissing(name))
                case let sha? where sha != output.sha256: reasons.append(.outputCorrupted(name))
                default: break
                }
            }
        }
        if reasons.isEmpty, let fingerprint, fingerprint.key != record.key {
            reasons.append(.keySchemeChanged)
        }
        // The run record, not the lock entry, says the key is done (StageCompletion): a
        // kill after the outputs were published leaves them without it.
        if checkOutputs, reasons.isEmpty, RunRecords(artifacts: artifacts, hashes: hashes).valid(record.key) == nil {
            reasons.append(.resultIncomplete)
        }
        self.reasons = reasons
    }
}
