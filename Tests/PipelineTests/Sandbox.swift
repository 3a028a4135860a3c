import Foundation
import Pipeline
import XCTest

/// A throwaway copy of a fixture pipeline (Snakemake-style golden directories under
/// Fixtures/), with helpers to run it in-process and read its outputs from the cache.
final class Sandbox {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    let directory: URL
    var kinds: [any StageKind] = [CmdKind()]

    init(fixture: String? = nil, yaml: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-test-\(UUID().uuidString)")
        if let fixture {
            try FileManager.default.copyItem(at: Sandbox.fixtures.appendingPathComponent(fixture), to: directory)
        } else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        if let yaml { try write("pipeline.yaml", yaml) }
    }

    deinit {
        // Store entries are read-only; make them writable so the whole tree can go.
        let objects = directory.appendingPathComponent("artifacts/cache/objects").path
        for sub in (try? FileManager.default.subpathsOfDirectory(atPath: objects)) ?? [] {
            chmod(objects + "/" + sub, 0o755)
        }
        try? FileManager.default.removeItem(at: directory)
    }

    var pipelineFile: URL { directory.appendingPathComponent("pipeline.yaml") }
    var artifacts: Artifacts { Artifacts(root: directory.appendingPathComponent("artifacts")) }

    func write(_ name: String, _ text: String) throws {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
    }

    /// Replaces the first occurrence of `old` in pipeline.yaml.
    func edit(_ old: String, _ new: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let text = try read("pipeline.yaml")
        XCTAssertTrue(text.contains(old), "pipeline.yaml contains \(old)", file: file, line: line)
        try write("pipeline.yaml", text.replacingOccurrences(of: old, with: new))
    }

    func load(profile: String = "paper", params: [String] = []) throws -> PipelineDefinition {
        try PipelineDefinition.load(
            file: pipelineFile, registry: StageKindRegistry(kinds), profile: profile,
            overrides: params, displayPath: "pipeline.yaml")
    }

    @discardableResult
    func run(
        profile: String = "paper", params: [String] = [], targets: [String]? = nil, downstream: Bool = false,
        force: Set<String> = [], jobs: Int = 1, keepGoing: Bool = false, cores: Int = 2
    ) throws -> RunSummary {
        let pipeline = try load(profile: profile, params: params)
        var options = RunOptions()
        options.jobs = jobs
        options.keepGoing = keepGoing
        options.forced = force
        options.cores = cores
        options.showProgress = false
        options.environment = ["test": "1"]
        let selection = try Plan.selection(pipeline, targets: targets, downstream: downstream)
        return try Runner(pipeline: pipeline, artifacts: Artifacts(pipeline: pipeline), options: options).run(selection)
    }

    func status(profile: String = "paper", params: [String] = []) throws -> StatusReport {
        let pipeline = try load(profile: profile, params: params)
        return try StatusReport.compute(pipeline: pipeline, artifacts: Artifacts(pipeline: pipeline))
    }

    func lock(profile: String = "paper") throws -> LockFile {
        try LockFile.read(artifacts.lockFile(profile: profile))
    }

    /// The contents of a stage's output as the lock records it.
    func output(_ stage: String, _ name: String, profile: String = "paper") throws -> String {
        let record = try XCTUnwrap(
            try lock(profile: profile).stages[stage]?.outputs[name], "\(stage) has output \(name)")
        return try String(contentsOf: artifacts.store.path(record.sha256), encoding: .utf8)
    }

    /// The message of the bad-input error that loading `yaml` raises; fails the test when
    /// it loads, or when the error is not bad input.
    static func loadError(
        _ yaml: String, kinds: [any StageKind], profile: String = "paper", params: [String] = [],
        file: StaticString, line: UInt
    ) throws -> String {
        let sandbox = try Sandbox(yaml: yaml)
        sandbox.kinds = kinds
        do {
            _ = try sandbox.load(profile: profile, params: params)
        } catch let error as PipelineError {
            XCTAssertTrue(error.isBadInput, "\(error) is bad input", file: file, line: line)
            return error.description
        }
        XCTFail("the pipeline loaded", file: file, line: line)
        return ""
    }

    /// The reasons the run gave for `stage`, as printed.
    static func reasons(_ summary: RunSummary, _ stage: String) -> [String] {
        summary.entry(stage)?.reasons.map(\.description) ?? []
    }
}

/// A kind whose version the tests change: writes its `text` parameter to `out.txt`.
struct EchoKind: StageKind {
    let name = "echo"
    var version = 1
    let parameters = [
        Parameter("text", .string, doc: "what to write"),
        Parameter("repeat", .int, default: .int(1), doc: "how many times"),
        Parameter("scale", .float, default: .float(1), doc: "unused; a float for key tests"),
        Parameter("loud", .bool, default: .bool(false), doc: "upper-case the text"),
        Parameter("tags", .list(.string), default: .list([]), doc: "unused; a list for type tests"),
    ]

    func run(_ context: StageContext) throws -> StageResult {
        var text = String(repeating: context.parameters.string("text") + "\n", count: context.parameters.int("repeat"))
        if context.parameters.bool("loud") { text = text.uppercased() }
        for (_, dep) in context.dependencies.sorted(by: { $0.key < $1.key }) {
            for (_, file) in dep.files.sorted(by: { $0.key < $1.key }) {
                text += try String(contentsOf: file, encoding: .utf8)
            }
        }
        let out = context.outputDirectory.appendingPathComponent("out.txt")
        try text.write(to: out, atomically: false, encoding: .utf8)
        return StageResult(outputs: ["out.txt": .init(out)], metrics: ["length": .number(Double(text.count))])
    }
}
