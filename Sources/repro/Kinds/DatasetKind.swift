import Dataset
import Foundation
import Pipeline

/// `kind: dataset`: fetch a CIFAR-format binary archive (mirrors tried in order), verify its
/// digests and contents, and convert it to one HDF5 file (output `data`). Nothing enters
/// the cache unless the archive verified. `$REPRO_CIFAR100_ARCHIVE`, when set, is tried first.
struct DatasetKind: TypedStageKind {
    let name = "dataset"
    let version = 1

    struct Parameters: StageParameters {
        var url: [String] = []
        var md5 = ""
        var sha256 = ""
        var trainCount = 0
        var testCount = 0
        var classes = 0
        var labels = LabelSet.fine

        static let fields: [ParameterField<Parameters>] = [
            .field(
                "url", \.url,
                doc: "mirrors tried in order: http(s) URLs, file: URLs or paths (relative to pipeline.yaml)",
                required: true,
                check: { $0.isEmpty ? "lists no source" : nil }),
            .field("md5", \.md5, doc: "expected MD5 of the archive"),
            .field("sha256", \.sha256, doc: "expected SHA-256 of the archive"),
            .field("train_count", \.trainCount, doc: "expected training records (0: any)", check: notNegative),
            .field("test_count", \.testCount, doc: "expected test records (0: any)", check: notNegative),
            .field(
                "classes", \.classes, doc: "expected classes of the label set `labels` (0: any)", check: notNegative),
            .field("labels", \.labels, doc: "the label set `classes` counts: fine or coarse (both are converted)"),
        ]
    }

    func check(_ p: Parameters) -> String? {
        p.md5.isEmpty && p.sha256.isEmpty
            ? "give 'md5' or 'sha256' (or both): an archive is only used after it verified" : nil
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let expected = try ExpectedDigests(md5: p.md5.isEmpty ? nil : p.md5, sha256: p.sha256.isEmpty ? nil : p.sha256)
        var fetcher = ArchiveFetcher(
            sources: p.url, expected: expected, baseDirectory: context.pipelineDirectory,
            temporaryDirectory: context.workDirectory)
        fetcher.progress = { progress in
            context.progress.update(
                progress.description, fraction: progress.total.map { Double(progress.bytes) / Double(max($0, 1)) })
        }
        fetcher.log = { context.log($0) }
        try FileManager.default.createDirectory(at: context.workDirectory, withIntermediateDirectories: true)
        let archive = try fetcher.fetch()
        defer { try? FileManager.default.removeItem(at: archive.file) }
        let contents = ExpectedContents(
            trainCount: p.trainCount > 0 ? p.trainCount : nil, testCount: p.testCount > 0 ? p.testCount : nil,
            fineClasses: p.classes > 0 && p.labels == .fine ? p.classes : nil,
            coarseClasses: p.classes > 0 && p.labels == .coarse ? p.classes : nil)
        context.progress.update("converting \(archive.source)")
        let output = context.outputDirectory.appendingPathComponent("data.h5")
        let summary = try CIFARConverter.convert(
            archive: archive.file, name: archive.source, digests: archive.digests,
            contents: contents, output: output)
        context.log(summary.description)
        return StageResult(
            outputs: ["data": .init(output)],
            metrics: [
                "train_images": .number(Double(summary.trainCount)), "test_images": .number(Double(summary.testCount)),
                "classes": .number(Double(summary.fineClasses)), "archive_sha256": .text(summary.source.sha256),
            ])
    }
}

extension DatasetKind {
    /// Cluster request (`StageKind.resources`): one archive download, verification and conversion: minutes for
    /// CIFAR-100.
    func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest {
        ResourceRequest(cpus: 1, memory: "4G", time: "01:00:00")
    }
}
