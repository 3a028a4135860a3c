import ArgumentParser
import Foundation
import Pipeline

/// Options every pipeline command shares.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: "The pipeline file.")
    var pipeline: String = "pipeline.yaml"

    @Option(name: .long, help: "The profile whose parameters apply (paper, mini, smoke).")
    var profile: String = "paper"

    @Option(name: .long, help: "Override a parameter: STAGE.KEY=VALUE, STAGE may be a glob such as '*' (repeatable).")
    var param: [String] = []

    /// The pipeline, with the paper file its table and report stages read checked too.
    func load() throws -> PipelineDefinition {
        let definition = try PipelineDefinition.load(
            file: URL(fileURLWithPath: pipeline), registry: PipelineSetup.registry, profile: profile, overrides: param,
            displayPath: pipeline)
        try PaperInput.check(definition)
        Calibration.current = try Calibration.select(
            project: definition.file.deletingLastPathComponent(), name: definition.cluster.shape.calibration)
        return definition
    }
}

/// Options of the commands that run stages.
struct RunFlags: ParsableArguments {
    @Option(
        name: .short,
        help: "Stages to run at once (default 1; with --executor slurm, jobs in flight, default unlimited).") var j:
        Int?
    @Flag(help: "Print the plan (execution order, reasons, estimated time) without running it.") var dryRun = false
    @Flag(help: "After a failure, keep running stages that do not depend on it.") var keepGoing = false
    @Option(
        help: ArgumentHelp(
            "Run each training with devices as this many MPI ranks on this machine (mpirun), at most one per "
                + "device; the same bytes for any number.")) var ranks: Int?
    @OptionGroup var slurm: SlurmFlags

    func validate() throws {
        guard (j ?? 1) >= 1 else { throw ValidationError("-j must be at least 1") }
        guard (ranks ?? 1) >= 1 else { throw ValidationError("--ranks must be at least 1") }
    }

    /// Runs (or, with --dry-run, plans) `selection`; exit 1 when a stage failed, 2 when one
    /// failed on bad input (a checksum, a damaged archive: the user has that to fix first).
    func execute(
        _ pipeline: PipelineDefinition, selection: [String], forced: Set<String>, loadedWith arguments: PipelineOptions
    ) throws {
        let artifacts = Artifacts(pipeline: pipeline)
        let slurmSettings = try slurm.settings(pipeline: pipeline, arguments: arguments)
        if dryRun {
            let plan = try Plan.make(pipeline: pipeline, artifacts: artifacts, selection: selection, forced: forced)
            print(slurmSettings.map { ClusterPlan(plan: plan, pipeline: pipeline, settings: $0).text } ?? plan.text)
            return
        }
        var options = RunOptions()
        options.slurm = slurmSettings
        if let ranks, ranks > 1 {
            guard slurmSettings == nil else {
                throw Failure.badInput("--ranks runs ranks on this machine; under Slurm a stage's tasks say how many")
            }
            var settings = RankSettings(
                count: ranks, repro: SlurmFlags.driverBinary, pipelineArguments: arguments.jobArguments(pipeline))
            settings.retries = slurm.retries
            options.ranks = settings
        }
        options.jobs = j ?? (options.slurm == nil ? 1 : 1_000_000)
        options.keepGoing = keepGoing
        options.forced = forced
        options.environment = PipelineSetup.environment
        let runner = Runner(pipeline: pipeline, artifacts: artifacts, options: options)
        let interrupts = InterruptHandler {
            if let jobs = runner.cancel() { FileHandle.standardError.write(Data("\(jobs)\n".utf8)) }
        }
        let summary = try withExtendedLifetime(interrupts) { try runner.run(selection) }
        print(summary.text)
        for file in (try? TablesExport.run(pipeline, artifacts: artifacts)) ?? [] {
            print("wrote \(file.path.replacingOccurrences(of: pipeline.directory.path + "/", with: ""))")
        }
        guard summary.succeeded else {
            let counts = "\(summary.failed.count) stage(s) failed, \(summary.skipped.count) skipped"
            throw summary.failedOnBadInput ? Failure.badInput(counts + " (bad input)") : Failure.failed(counts)
        }
    }
}

struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every stage that is not up to date.")
    @OptionGroup var options: PipelineOptions
    @OptionGroup var runFlags: RunFlags
    @Flag(help: "Rerun stages even when up to date.") var force = false

    func run() throws {
        let pipeline = try options.load()
        let selection = try Plan.selection(pipeline, targets: nil)
        try runFlags.execute(pipeline, selection: selection, forced: force ? Set(selection) : [], loadedWith: options)
    }
}

struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage", abstract: "Run the named stages and whatever upstream is stale.")
    @Argument(help: "Stage names: a stage, a seed group (baseline: every baseline@seed=S) or a glob ('*_eval').")
    var names: [String]
    @OptionGroup var options: PipelineOptions
    @OptionGroup var runFlags: RunFlags
    @Flag(help: "Rerun the named stages even when up to date.") var force = false
    @Flag(help: "Also run every stage that depends on the named ones.") var downstream = false

    func run() throws {
        let pipeline = try options.load()
        let selection = try Plan.selection(pipeline, targets: names, downstream: downstream)
        try runFlags.execute(
            pipeline, selection: selection, forced: force ? Set(try pipeline.expand(names)) : [], loadedWith: options)
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every stage: up to date, stale (with every reason) or never run.")
    @OptionGroup var options: PipelineOptions
    @Flag(help: "Print JSON, with each output's cache path and sha256.") var json = false

    func run() throws {
        let pipeline = try options.load()
        let artifacts = Artifacts(pipeline: pipeline)
        let report = try StatusReport.compute(pipeline: pipeline, artifacts: artifacts)
        print(try json ? report.json(artifacts: artifacts).pretty : report.text, terminator: json ? "" : "\n")
        if !json, let jobs = SlurmJobsReport(artifacts: artifacts).text { print(jobs) }
    }
}

struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph.")
    @OptionGroup var options: PipelineOptions
    @Option(help: "text, dot or mermaid.") var format: DagRenderer.Format = .text

    func run() throws {
        print(DagRenderer.render(try options.load(), format: format))
    }
}

extension DagRenderer.Format: ExpressibleByArgument {}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute every stage into a scratch cache and compare each output hash with the lock.")
    @OptionGroup var options: PipelineOptions
    @Option(name: .short, help: "Stages to run at once.") var j: Int = 1

    func run() throws {
        let pipeline = try options.load()
        var runOptions = RunOptions()
        runOptions.jobs = max(1, j)
        runOptions.keepGoing = true
        runOptions.environment = PipelineSetup.environment
        let report = try Verifier(
            pipeline: pipeline, artifacts: Artifacts(pipeline: pipeline), options: runOptions,
            comparers: PipelineSetup.comparers
        ).run()
        print(report.text)
        guard report.passed else { throw Failure.failed("verify: the outputs differ from \(options.profile).lock") }
    }
}

struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc", abstract: "Remove cache entries that no lock refers to.")
    @Option(name: .long, help: "The pipeline file (its artifacts/ directory is cleaned).") var pipeline: String =
        "pipeline.yaml"
    @Flag(help: "List what would be removed.") var dryRun = false

    func run() throws {
        let directory = URL(fileURLWithPath: pipeline).deletingLastPathComponent()
        let collector = GarbageCollector(artifacts: Artifacts(root: directory.appendingPathComponent("artifacts")))
        let report = try collector.collect(dryRun: dryRun)
        for url in report.removed { print((dryRun ? "would remove " : "removed ") + url.path) }
        print((dryRun ? "would remove: " : "removed: ") + report.text)
    }
}
