import Foundation

/// Facts about CIFAR-100's binary distribution (RECIPE.md §1) and the names repro uses for it.
public enum CIFAR100 {
    /// The pipeline stage that fetches and converts it (used in hints).
    public static let stageName = "cifar100"
    /// A path or URL of a hand-downloaded archive; tried before the configured URLs.
    public static let archiveVariable = "REPRO_CIFAR100_ARCHIVE"

    /// The archive's home and its newer host (same file; verify by checksum).
    public static let urls = [
        "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
        "https://cave.cs.toronto.edu/kriz/cifar-100-binary.tar.gz",
    ]
    public static let md5 = "03b5dce01913d631647c71ecec9e9cb8"
    public static let sha256 = "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec"
    public static let archiveBytes = 168_513_733
    public static let contents = ExpectedContents(
        trainCount: 50_000, testCount: 10_000, fineClasses: 100, coarseClasses: 20)

    // Record layout: coarse label, fine label, then 32x32 R, G and B planes (row-major).
    public static let side = 32
    public static let channels = 3
    public static let imageBytes = channels * side * side  // 3,072
    public static let recordBytes = 2 + imageBytes  // 3,074

    /// Member names inside the archive.
    public static let directory = "cifar-100-binary"
    public static let trainMember = directory + "/train.bin"
    public static let testMember = directory + "/test.bin"
    public static let fineNamesMember = directory + "/fine_label_names.txt"
    public static let coarseNamesMember = directory + "/coarse_label_names.txt"

    /// Fetches, verifies and converts: the whole `dataset` stage.
    ///
    /// The archive is fetched into a temporary file in `temporaryDirectory` (see `ArchiveFetcher`:
    /// sources in order, `REPRO_CIFAR100_ARCHIVE` first), its digests checked, its members and
    /// record counts checked against `contents`, and converted into one HDF5 file at `output`
    /// (see `CIFARConverter`). On any error nothing is left behind: neither the archive nor the
    /// output. On success the caller owns both files (`result.archive.file` and `output`) and
    /// moves them into the content store.
    public static func prepare(
        sources: [String], expected: ExpectedDigests, contents: ExpectedContents? = nil,
        baseDirectory: URL, temporaryDirectory: URL, output: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        progress: ((FetchProgress) -> Void)? = nil,
        log: ((String) -> Void)? = nil
    ) throws -> PreparedDataset {
        let fetcher = ArchiveFetcher(
            sources: sources, expected: expected, baseDirectory: baseDirectory,
            temporaryDirectory: temporaryDirectory, environment: environment,
            progress: progress, log: log)
        let archive = try fetcher.fetch()
        do {
            let summary = try CIFARConverter.convert(
                archive: archive.file, name: archive.source, digests: archive.digests,
                contents: contents, output: output)
            log?("converted \(summary)")
            return PreparedDataset(archive: archive, summary: summary, output: output)
        } catch {
            try? FileManager.default.removeItem(at: archive.file)
            throw error
        }
    }
}

/// What `CIFAR100.prepare` produced.
public struct PreparedDataset: Sendable {
    /// The verified archive, in a temporary file the caller moves or deletes.
    public let archive: FetchedArchive
    public let summary: ConversionSummary
    /// The converted HDF5 file.
    public let output: URL
}

/// Counts an archive must have; nil entries are not checked.
public struct ExpectedContents: Equatable, Sendable {
    public var trainCount: Int?
    public var testCount: Int?
    public var fineClasses: Int?
    public var coarseClasses: Int?

    public init(trainCount: Int? = nil, testCount: Int? = nil, fineClasses: Int? = nil, coarseClasses: Int? = nil) {
        self.trainCount = trainCount
        self.testCount = testCount
        self.fineClasses = fineClasses
        self.coarseClasses = coarseClasses
    }
}
