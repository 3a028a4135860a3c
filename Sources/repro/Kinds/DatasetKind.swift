import Dataset
import Foundation
import Pipeline

/// `kind: dataset`: fetch a CIFAR-format binary archive (mirrors tried in order), verify its
/// digests and contents, and convert it to one HDF5 file (output `data`). Nothing enters
/// the cache unless the archive verified. `$REPRO_CIFAR100_ARCHIVE`, when set, is tried first.
struct DatasetKind: StageKind {
    let name = "dataset"
    let version = 1

    var parameters: [Parameter] {
        [
            Parameter("url", .list(.string), doc: "mirrors tried in order: http(s) URLs, file: URLs or paths (relative to pipeline.yaml)"),
            Parameter("md5", .string, default: .string(""), doc: "expected MD5 of the archive"),
            Parameter("sha256", .string, default: .string(""), doc: "expected SHA-256 of the archive"),
            Parameter("train_count", .int, default: .int(0), doc: "expected training records (0: any)"),
            Parameter("test_count", .int, default: .int(0), doc: "expected test records (0: any)"),
            Parameter("classes", .int, default: .int(0), doc: "expected fine classes (0: any)"),
        ]
    }

    func validate(_ parameters: ResolvedParameters) -> String? {
        if parameters.strings("url").isEmpty { return "parameter 'url' lists no source" }
        if parameters.string("md5").isEmpty && parameters.string("sha256").isEmpty {
            return "give 'md5' or 'sha256' (or both): an archive is only used after it verified"
        }
        return nil
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = context.parameters
        let expected = try ExpectedDigests(md5: p.string("md5").isEmpty ? nil : p.string("md5"),
                                           sha256: p.string("sha256").isEmpty ? nil : p.string("sha256"))
        var fetcher = ArchiveFetcher(sources: p.strings("url"), expected: expected, baseDirectory: context.pipelineDirectory,
                                     temporaryDirectory: context.workDirectory)
        fetcher.progress = { progress in
            context.progress.update(progress.description, fraction: progress.total.map { Double(progress.bytes) / Double(max($0, 1)) })
        }
        fetcher.log = { context.log($0) }
        try FileManager.default.createDirectory(at: context.workDirectory, withIntermediateDirectories: true)
        let archive = try fetcher.fetch()
        defer { try? FileManager.default.removeItem(at: archive.file) }
        let contents = ExpectedContents(trainCount: p.int("train_count") > 0 ? p.int("train_count") : nil,
                                        testCount: p.int("test_count") > 0 ? p.int("test_count") : nil,
                                        fineClasses: p.int("classes") > 0 ? p.int("classes") : nil, coarseClasses: nil)
        context.progress.update("converting \(archive.source)")
        let output = context.outputDirectory.appendingPathComponent("data.h5")
        let summary = try CIFARConverter.convert(archive: archive.file, name: archive.source, digests: archive.digests,
                                                 contents: contents, output: output)
        context.log(summary.description)
        return StageResult(outputs: ["data": .init(output)], metrics: [
            "train_images": .number(Double(summary.trainCount)), "test_images": .number(Double(summary.testCount)),
            "classes": .number(Double(summary.fineClasses)), "archive_sha256": .text(summary.source.sha256),
        ])
    }
}
