import Foundation
import Support

/// The outputs of one dependency as a stage sees them: cache paths (read-only) and the
/// dependency's headline metrics.
public struct DependencyOutputs: Sendable {
    public let stage: String
    public let files: [String: URL]
    public let metrics: [String: Metric]

    public init(stage: String, files: [String: URL], metrics: [String: Metric]) {
        self.stage = stage
        self.files = files
        self.metrics = metrics
    }
}

/// Everything a stage kind's `run` may use.
public struct StageContext: Sendable {
    /// The stage's name in pipeline.yaml.
    public let stage: String
    public let parameters: ResolvedParameters
    /// The replicated stages it reads as a whole, with their members (see `members(of:)`).
    let groups: [String: [String]]
    /// The outputs of the stages this one depends on, by stage name.
    public let dependencies: [String: DependencyOutputs]
    /// An empty directory on the cache's filesystem: write outputs here, return their
    /// URLs in the result; the runner moves them into the store.
    public let outputDirectory: URL
    /// `artifacts/work/<stage>/<key>/`: survives a crash, so a long stage can keep
    /// checkpoints here and resume. Removed once the stage has succeeded.
    public let workDirectory: URL
    /// The directory of pipeline.yaml; relative paths in parameters are relative to it.
    public let pipelineDirectory: URL
    /// How many threads the stage may use (stages × threads stay within the cores).
    public let threads: Int
    public let progress: ProgressReporter
    let cancellation: Cancellation

    /// The stages `name` stands for: its replicas, in seed order, when it runs once per
    /// seed (`baseline_eval` → `baseline_eval@seed=0`, …), else `name` itself.
    public func members(of name: String) -> [String] {
        groups[name] ?? [name]
    }

    /// True once the user asked to stop (Ctrl-C): save what can be resumed and throw.
    public var isCancelled: Bool { cancellation.isCancelled }

    /// The cache path of output `name` of dependency `stage`; a clear error when the
    /// stage is not among the dependencies or has no such output.
    public func output(of stage: String, named name: String) throws -> URL {
        guard let dependency = dependencies[stage] else {
            throw PipelineError.badInput(
                "stage \(self.stage): '\(stage)' is not among its deps "
                    + "(\(dependencies.keys.sorted().joined(separator: ", ")))"
            )
        }
        guard let file = dependency.files[name] else {
            throw PipelineError.failed(
                "stage \(self.stage): dependency \(stage) has no output '\(name)' (it has "
                    + "\(dependency.files.keys.sorted().joined(separator: ", ")))"
            )
        }
        return file
    }

    /// Appends a line to the stage's log, `artifacts/logs/<stage>.log`.
    public func log(_ line: String) {
        progress.log(line)
    }

    /// Appends a line to the stage's log and prints it on the console too.
    public func announce(_ line: String) {
        progress.announce(line)
    }
}

/// What a stage produced: named output files (each volatile or not) and headline metrics.
public struct StageResult: Sendable {
    public struct Output: Sendable {
        public let file: URL
        /// Volatile outputs (wall-clock timings, logs) are recorded but never compared
        /// by `verify` and never part of a downstream key.
        public let volatile: Bool

        public init(_ file: URL, volatile: Bool = false) {
            self.file = file
            self.volatile = volatile
        }
    }

    public var outputs: [String: Output]
    public var metrics: [String: Metric]

    public init(outputs: [String: Output], metrics: [String: Metric] = [:]) {
        self.outputs = outputs
        self.metrics = metrics
    }
}

/// A headline metric recorded in the lock (accuracy, loss, a URL checked, …).
public enum Metric: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case text(String)

    public var description: String {
        switch self {
        case .number(let d): return JSONValue.spell(d)
        case .text(let s): return s
        }
    }
}

/// In JSON a number, or a string: the text, or a non-finite number's spelling ("nan").
extension Metric: Codable {
    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let d = try? value.decode(Double.self) {
            self = .number(d)
        } else {
            self = .text(try value.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var value = encoder.singleValueContainer()
        switch self {
        case .number(let d) where d.isFinite: try value.encode(d)
        case .number(let d): try value.encode(String(d))
        case .text(let s): try value.encode(s)
        }
    }
}
