import Foundation
import Support

/// `kind: cmd`: a shell command, so repro also serves as a make-style runner.
///
/// ```yaml
/// upper:
///   kind: cmd
///   deps: [fetch]
///   params:
///     run: tr a-z A-Z < $DEPS/fetch/page.txt > $OUT/upper.txt
///     inputs: [words.txt]        # files read; their contents go into the key
///     outputs: [upper.txt]       # files the command writes into $OUT
/// ```
/// The command runs in the pipeline's directory under `sh -e` with `$OUT` (write the
/// outputs there), `$DEPS/<stage>/<output>` (the dependencies' outputs, read-only),
/// `$REPRO_WORK` (survives a crash), `$REPRO_THREADS` (also set as OMP_NUM_THREADS and
/// OPENBLAS_NUM_THREADS) and `$REPRO_STAGE`. Its output goes to the stage's log.
public struct CmdKind: TypedStageKind {
    public let name = "cmd"
    public let version = 1

    public init() {}

    public struct Parameters: StageParameters {
        var run = ""
        var inputs: [String] = []
        var outputs: [String] = []
        var volatile: [String] = []
        var metrics = ""

        public init() {}

        public static let fields: [ParameterField<Parameters>] = [
            .field("run", \.run, doc: "the shell command", required: true),
            .field(
                "inputs", \.inputs, doc: "files the command reads, relative to the pipeline file; hashed into the key"),
            .field("outputs", \.outputs, doc: "files the command writes into $OUT", required: true),
            .field(
                "volatile", \.volatile,
                doc: "outputs that differ from run to run (timings); never compared or hashed downstream"),
            .field("metrics", \.metrics, doc: "an output holding a JSON object of headline metrics"),
        ]
    }

    public func inputFiles(_ parameters: ResolvedParameters) -> [String] {
        Parameters(parameters).inputs
    }

    public func check(_ p: Parameters) -> String? {
        if p.outputs.isEmpty { return "parameter 'outputs' lists no file; a cmd stage must produce at least one" }
        if Set(p.outputs).count != p.outputs.count { return "parameter 'outputs' names a file twice" }
        if let bad = p.outputs.first(where: {
            $0.hasPrefix("/") || $0.split(separator: "/").contains("..") || $0.isEmpty
        }) {
            return "output '\(bad)' must be a relative path inside $OUT"
        }
        if let stray = p.volatile.first(where: { !p.outputs.contains($0) }) {
            return "volatile output '\(stray)' is not in 'outputs'"
        }
        if !p.metrics.isEmpty && !p.outputs.contains(p.metrics) {
            return "metrics file '\(p.metrics)' is not in 'outputs'"
        }
        return nil
    }

    public func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let deps = context.workDirectory.appendingPathComponent("deps")
        try? FileManager.default.removeItem(at: deps)
        for (stage, outputs) in context.dependencies {
            for (output, file) in outputs.files {
                let link = deps.appendingPathComponent(stage).appendingPathComponent(output)
                try FileManager.default.createDirectory(
                    at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
            }
        }
        for output in p.outputs where output.contains("/") {
            let directory = context.outputDirectory.appendingPathComponent(output).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let command = p.run
        context.progress.update("running: " + command.prefix(60).replacingOccurrences(of: "\n", with: "; "))
        let threads = String(context.threads)
        let log = context.progress.logFile ?? URL(fileURLWithPath: "/dev/null")
        let status = try ChildProcess.run(
            command, directory: context.pipelineDirectory,
            environment: [
                "OUT": context.outputDirectory.path, "DEPS": deps.path, "REPRO_WORK": context.workDirectory.path,
                "REPRO_STAGE": context.stage, "REPRO_THREADS": threads, "OMP_NUM_THREADS": threads,
                "OPENBLAS_NUM_THREADS": threads,
            ], log: log, isCancelled: { context.isCancelled })
        guard status == 0 else {
            if context.isCancelled { throw PipelineError.failed("interrupted") }
            throw PipelineError.failed(
                status > 128
                    ? "the command was killed by signal \(status - 128)" : "the command exited with status \(status)")
        }
        let volatile = Set(p.volatile)
        var outputs: [String: StageResult.Output] = [:]
        let inside = context.outputDirectory.resolvingSymlinksInPath().path + "/"
        for name in p.outputs {
            let file = context.outputDirectory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw PipelineError.failed("the command did not write its output '\(name)' into $OUT")
            }
            // Declared paths were checked at load (validate); a symbolic link the command
            // made can still point elsewhere, and the store would copy what it points to.
            let target = file.resolvingSymlinksInPath().path
            guard target.hasPrefix(inside) else {
                throw PipelineError.badInput(
                    "stage \(context.stage): output '\(name)' resolves to \(target), outside $OUT; write the file "
                        + "itself into $OUT"
                )
            }
            outputs[name] = StageResult.Output(file, volatile: volatile.contains(name))
        }
        return StageResult(outputs: outputs, metrics: try metrics(p.metrics, in: context.outputDirectory))
    }

    private func metrics(_ name: String, in directory: URL) throws -> [String: Metric] {
        guard !name.isEmpty else { return [:] }
        let file = directory.appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: file.path),
            let object = (try? JSONParser.parse(data))?.objectValue
        else {
            throw PipelineError.failed("metrics file '\(name)' does not hold a JSON object")
        }
        // what is neither a number nor a string (a flag, a nested object) is not a headline metric
        return object.compactMapValues { try? $0.decode(Metric.self) }
    }
}
