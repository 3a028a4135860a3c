import Foundation
import Pipeline
import Report

/// A stage kind that reads the paper file (`paper` parameter): the table and report kinds.
/// The file is a hashed input of their stages (`inputFiles`), so editing a number or a claim
/// re-keys them. Their parameters can only be checked against it once the pipeline's
/// directory is known, which `validate` is not told: `PaperInput.check` does that at load.
protocol PaperReadingKind: StageKind {
    /// The paper file a stage reads, relative to pipeline.yaml.
    func paperFile(_ parameters: ResolvedParameters) -> String
    /// What is wrong with a stage's parameters given the paper it reads, or nil.
    func check(_ parameters: ResolvedParameters, against paper: Paper) -> String?
}

extension PaperReadingKind {
    func inputFiles(_ parameters: ResolvedParameters) -> [String] { [paperFile(parameters)] }
}

enum PaperInput {
    static let parameterDoc = "the paper's numbers and claims (YAML, relative to pipeline.yaml); a hashed input"

    /// The paper file `path` (relative to `directory`); a bad file is a `PaperFileError`
    /// naming it and the line (exit 2).
    static func load(_ path: String, in directory: URL) throws -> Paper {
        try Paper.load(URL(fileURLWithPath: path, relativeTo: directory), name: path)
    }

    /// The paper a running stage of `kind` reads, checked against its parameters.
    static func load(for kind: some PaperReadingKind, _ context: StageContext) throws -> Paper {
        let paper = try load(kind.paperFile(context.parameters), in: context.pipelineDirectory)
        if let problem = kind.check(context.parameters, against: paper) {
            throw PipelineError.badInput("stage \(context.stage): \(problem)")
        }
        return paper
    }

    /// Checks every stage that reads a paper file against it, each file read once: a bad
    /// file, or a stage naming a table the file lacks, fails the load (exit 2).
    static func check(_ pipeline: PipelineDefinition) throws {
        var papers: [String: Paper] = [:]
        for stage in pipeline.stages {
            guard let kind = stage.kind as? any PaperReadingKind else { continue }
            let path = kind.paperFile(stage.parameters)
            // A missing file is the stage's input missing, as for any kind's input files:
            // `status` says so and a run fails on it. A file that is there must be right.
            guard
                papers[path] != nil
                    || FileManager.default.fileExists(atPath: pipeline.directory.appendingPathComponent(path).path)
            else { continue }
            let paper = try papers[path] ?? load(path, in: pipeline.directory)
            papers[path] = paper
            if let problem = kind.check(stage.parameters, against: paper) {
                throw PipelineError.spec(stage.location, "stage '\(stage.name)': \(problem) (paper file \(path))")
            }
        }
    }
}
