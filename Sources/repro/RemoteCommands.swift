import ArgumentParser
import Foundation
import Pipeline

/// Options of push and pull: which remote, which stages.
struct RemoteFlags: ParsableArguments {
    @Argument(help: "Stages (with their upstream closure) to move; default: every stage the lock names.")
    var stages: [String] = []
    @Option(
        help: ArgumentHelp(
            "A remote named in pipeline.yaml's remote: mapping, or a URL (file:///path, https://host/prefix); "
                + "default: the profile's remote:, else the only one declared."))
    var remote: String?

    var targets: [String]? { stages.isEmpty ? nil : stages }

    func url(_ pipeline: PipelineDefinition) throws -> RemoteURL {
        try pipeline.remotes.resolve(remote)
    }
}

struct PushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Send the results the lock names to a remote cache: blobs first, run records last.")
    @OptionGroup var options: PipelineOptions
    @OptionGroup var flags: RemoteFlags

    func run() throws {
        let pipeline = try options.load()
        let url = try flags.url(pipeline)
        print("pushing to \(url)")
        let push = try Push(pipeline: pipeline, remote: url, environment: ProcessInfo.processInfo.environment)
        print(try push.run(targets: flags.targets).text)
    }
}

struct PullCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch the results the lock names from a remote cache, each blob verified before it is stored.")
    @OptionGroup var options: PipelineOptions
    @OptionGroup var flags: RemoteFlags
    @Flag(help: "Leave out intermediate training states (outputs named state.*).") var outputsOnly = false

    func run() throws {
        let pipeline = try options.load()
        let url = try flags.url(pipeline)
        print("pulling from \(url)")
        let pull = try Pull(
            pipeline: pipeline, remote: url, environment: ProcessInfo.processInfo.environment,
            outputsOnly: outputsOnly)
        let summary = try pull.run(targets: flags.targets)
        print(summary.text)
        guard summary.failures.isEmpty else {
            throw Failure.failed(
                "pull: \(summary.failures.count) failure(s), nothing half-written was kept:\n  "
                    + summary.failures.joined(separator: "\n  "))
        }
    }
}
