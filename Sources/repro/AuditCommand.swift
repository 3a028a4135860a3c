import ArgumentParser
import Foundation
import Pipeline

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract:
            "Check the lock's trainings by replaying sampled segments of their proofs bit for bit, then recompute "
            + "every other stage from their checkpoints.")
    @OptionGroup var options: PipelineOptions
    @Argument(help: "Stages to audit, with their upstream stages (default: all; globs work).") var stages: [String] = []
    @Option(
        help: ArgumentHelp(
            "Segments to replay per training (a segment runs from one published state to the next), or all.",
            valueName: "n|all")) var sample = "2"
    @Option(help: "Seed of the segments' choice (default: random, printed).") var seed: UInt64?
    @Option(name: .short, help: "Trainings to replay and stages to recompute at once.") var j: Int = 1

    func validate() throws {
        guard sample == "all" || (Int(sample) ?? 0) > 0 else {
            throw ValidationError("--sample must be a positive number or all, not '\(sample)'")
        }
    }

    func run() throws {
        var runOptions = RunOptions()
        runOptions.jobs = max(1, j)
        runOptions.keepGoing = true
        runOptions.environment = PipelineSetup.environment
        let pipeline = try options.load()
        let audit = Audit(
            pipeline: pipeline, artifacts: Artifacts(pipeline: pipeline), targets: stages,
            sample: SegmentSample(count: Int(sample), seed: seed ?? UInt64.random(in: 0...UInt64.max)),
            options: runOptions, print: { Swift.print($0) })
        guard try audit.run() else { throw Failure.failed("audit: the results differ from \(options.profile).lock") }
    }
}

extension AuditCommand: KernelCommand {}
