import ArgumentParser

/// Options every pipeline command shares.
struct PipelineOptions: ParsableArguments {
    @Option(name: .long, help: "The pipeline file.")
    var pipeline: String = "pipeline.yaml"

    @Option(name: .long, help: "The profile whose parameters apply (paper, mini, smoke).")
    var profile: String = "paper"

    @Option(name: .long, help: "Override a parameter: STAGE.KEY=VALUE (repeatable).")
    var param: [String] = []
}

struct AllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all", abstract: "Run every stage that is not up to date.")
    @OptionGroup var options: PipelineOptions
    @Option(name: .short, help: "Stages to run at once.") var j: Int = 1
    @Flag(help: "Print the plan without running it.") var dryRun = false
    @Flag(help: "Rerun stages even when up to date.") var force = false
    @Flag(help: "After a failure, keep running stages that do not depend on it.") var keepGoing = false

    func run() throws { throw Failure.notImplemented("repro all", issue: 5) }
}

struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stage", abstract: "Run the named stages and whatever upstream is stale.")
    @Argument(help: "Stage names.") var names: [String]
    @OptionGroup var options: PipelineOptions
    @Option(name: .short, help: "Stages to run at once.") var j: Int = 1
    @Flag(help: "Print the plan without running it.") var dryRun = false
    @Flag(help: "Rerun the named stages even when up to date.") var force = false
    @Flag(help: "Also run every stage that depends on the named ones.") var downstream = false
    @Flag(help: "After a failure, keep running stages that do not depend on it.") var keepGoing = false

    func run() throws { throw Failure.notImplemented("repro stage", issue: 5) }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show every stage: up to date, stale (with every reason) or never run.")
    @OptionGroup var options: PipelineOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws { throw Failure.notImplemented("repro status", issue: 5) }
}

struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph.")
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, dot, mermaid }
    @OptionGroup var options: PipelineOptions
    @Option(help: "text, dot or mermaid.") var format: Format = .text

    func run() throws { throw Failure.notImplemented("repro dag", issue: 5) }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Recompute every stage into a scratch cache and compare each output hash with the lock.")
    @OptionGroup var options: PipelineOptions
    @Option(name: .short, help: "Stages to run at once.") var j: Int = 1

    func run() throws { throw Failure.notImplemented("repro verify", issue: 5) }
}

struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Remove cache entries that no lock refers to.")
    @Flag(help: "List what would be removed.") var dryRun = false

    func run() throws { throw Failure.notImplemented("repro gc", issue: 5) }
}
