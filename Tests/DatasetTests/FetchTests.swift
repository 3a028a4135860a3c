import Foundation
import HDF5
import XCTest

@testable import Dataset

final class FetchTests: XCTestCase {
    var directory: TemporaryDirectory!
    var served: URL!
    var server: LocalHTTPServer!
    var archiveDigests: ArchiveDigests!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        served = directory.file("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        let archive = served.appendingPathComponent("small.tar.gz")
        try CIFARArchiveWriter.write(Fixtures.small, to: archive)
        archiveDigests = try ArchiveDigests.of(file: archive)
        server = try LocalHTTPServer(serving: served)
    }

    override func tearDown() {
        server?.stop()
        directory?.remove()
    }

    func fetcher(
        _ sources: [String], md5: String? = nil, sha256: String? = nil,
        environment: [String: String] = [:]
    ) throws -> ArchiveFetcher {
        ArchiveFetcher(
            sources: sources, expected: try ExpectedDigests(md5: md5, sha256: sha256),
            baseDirectory: served, temporaryDirectory: directory.file("tmp"), environment: environment)
    }

    /// Files left in the temporary directory (downloads that were not handed over).
    func leftovers() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.file("tmp").path)) ?? []
    }

    func testHTTPRoundTripKeepsEveryPixelAndLabel() throws {
        var reports: [FetchProgress] = []
        let output = directory.file("small.h5")
        let prepared = try CIFAR100.prepare(
            sources: [server.url("small.tar.gz")],
            expected: try ExpectedDigests(md5: archiveDigests.md5, sha256: archiveDigests.sha256),
            contents: ExpectedContents(trainCount: 40, testCount: 12, fineClasses: 10, coarseClasses: 5),
            baseDirectory: served, temporaryDirectory: directory.file("tmp"), output: output, environment: [:],
            progress: { reports.append($0) })
        XCTAssertEqual(prepared.archive.digests, archiveDigests)
        XCTAssertEqual(
            try Data(contentsOf: prepared.archive.file),
            try Data(contentsOf: served.appendingPathComponent("small.tar.gz")))
        XCTAssertEqual(prepared.summary.trainCount, 40)
        XCTAssertEqual(reports.last?.finished, true)
        XCTAssertEqual(reports.last?.bytes, prepared.archive.size)

        let loaded = try CIFARConverter.load(output)
        XCTAssertEqual(loaded.train.images, Fixtures.small.train.images)
        XCTAssertEqual(loaded.train.fineLabels, Fixtures.small.train.fineLabels)
        XCTAssertEqual(loaded.train.coarseLabels, Fixtures.small.train.coarseLabels)
        XCTAssertEqual(loaded.test.images, Fixtures.small.test.images)
        XCTAssertEqual(loaded.test.fineLabels, Fixtures.small.test.fineLabels)
        XCTAssertEqual(loaded.fineLabelNames, Fixtures.small.fineLabelNames)
        XCTAssertEqual(loaded.coarseLabelNames, Fixtures.small.coarseLabelNames)
        try H5File.read(output) { root in
            XCTAssertEqual(try root.stringAttribute("source_sha256"), archiveDigests.sha256)
            XCTAssertEqual(try root.stringAttribute("source_md5"), archiveDigests.md5)
            XCTAssertEqual(try root.intAttribute("train_count"), 40)
            XCTAssertEqual(try root.openDataset("train/images").shape, [40, 3, 32, 32])
            XCTAssertTrue(try root.openDataset("train/images").isZstdCompressed)
        }
    }

    func testWrongChecksumIsRefusedWithBothDigestsAndLeavesNothing() throws {
        let wrong = String(repeating: "0", count: 64)
        let error = innerError(datasetError { _ = try fetcher([server.url("small.tar.gz")], sha256: wrong).fetch() })
        XCTAssertEqual(
            error,
            .checksumMismatch(
                source: server.url("small.tar.gz"), algorithm: "SHA-256",
                expected: wrong, actual: archiveDigests.sha256))
        XCTAssertTrue(error?.description.contains(archiveDigests.sha256) == true)
        XCTAssertTrue(error?.isBadInput == true)
        XCTAssertEqual(leftovers(), [])
    }

    func testNotFoundIsAnError() throws {
        let error = innerError(datasetError { _ = try fetcher([server.url("missing.tar.gz")]).fetch() })
        XCTAssertEqual(error, .httpStatus(url: server.url("missing.tar.gz"), status: 404))
        XCTAssertEqual(leftovers(), [])
    }

    func testMirrorListFallsThroughToTheFirstWorkingSource() throws {
        var lines: [String] = []
        var fetcher = try fetcher(
            [server.url("missing.tar.gz"), "http://127.0.0.1:1/refused.tar.gz", server.url("small.tar.gz")],
            md5: archiveDigests.md5)
        fetcher.log = { lines.append($0) }
        let archive = try fetcher.fetch()
        XCTAssertEqual(archive.source, server.url("small.tar.gz"))
        XCTAssertEqual(archive.digests, archiveDigests)
        XCTAssertEqual(lines.filter { $0.hasPrefix("failed") }.count, 2)
    }

    func testUnreachableHostsExplainHowToUseAHandDownloadedArchive() throws {
        let error = datasetError { _ = try fetcher(["http://127.0.0.1:1/cifar-100-binary.tar.gz"]).fetch() }
        let text = error?.description ?? ""
        XCTAssertTrue(text.contains("--param cifar100.url=/path/to/cifar-100-binary.tar.gz"), text)
        XCTAssertTrue(text.contains(CIFAR100.archiveVariable), text)
        XCTAssertTrue(text.contains("no network access"), text)
        XCTAssertEqual(error?.isBadInput, false)
    }

    func testFileURLsRelativePathsAndTheEnvironmentVariable() throws {
        let absolute = served.appendingPathComponent("small.tar.gz")
        XCTAssertEqual(try fetcher([absolute.absoluteString]).fetch().digests, archiveDigests)  // file:///…
        XCTAssertEqual(try fetcher(["file:small.tar.gz"]).fetch().digests, archiveDigests)  // relative file:
        XCTAssertEqual(try fetcher(["small.tar.gz"]).fetch().digests, archiveDigests)  // relative path
        let viaVariable = try fetcher(
            ["http://127.0.0.1:1/unused.tar.gz"],
            environment: [CIFAR100.archiveVariable: absolute.path]
        ).fetch()
        XCTAssertEqual(viaVariable.source, absolute.path)
        XCTAssertEqual(
            innerError(datasetError { _ = try fetcher(["nothing-here.tar.gz"]).fetch() }),
            .missingFile(served.appendingPathComponent("nothing-here.tar.gz").path))
        XCTAssertEqual(
            innerError(datasetError { _ = try fetcher(["ftp://host/x.tar.gz"]).fetch() }),
            .badSource("ftp://host/x.tar.gz", reason: "unsupported scheme 'ftp' (use http, https, file or a path)"))
    }

    func testMalformedExpectedDigestsAreRefused() {
        XCTAssertEqual(datasetError { _ = try ExpectedDigests(md5: "abc") }, .badDigest(algorithm: "MD5", value: "abc"))
        XCTAssertEqual(try ExpectedDigests(md5: Fixtures.digitsMD5.uppercased()).md5, Fixtures.digitsMD5)
    }
}

/// Damaged archives served over HTTP: the whole `prepare` path refuses them and leaves nothing.
final class DamagedDownloadTests: XCTestCase {
    var directory: TemporaryDirectory!
    var server: LocalHTTPServer!
    var archive: [UInt8] = []

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
        let file = directory.file("small.tar.gz")
        try CIFARArchiveWriter.write(Fixtures.small, to: file)
        archive = Array(try Data(contentsOf: file))
        server = try LocalHTTPServer(serving: directory.url)
    }

    override func tearDown() {
        server?.stop()
        directory?.remove()
    }

    func prepare(_ bytes: [UInt8], name: String) -> DatasetError? {
        let output = directory.file(name + ".h5")
        let error = datasetError {
            try Data(bytes).write(to: directory.file(name))
            _ = try CIFAR100.prepare(
                sources: [server.url(name)], expected: .none, baseDirectory: directory.url,
                temporaryDirectory: directory.file("tmp"), output: output, environment: [:])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path), "a partial output was left")
        XCTAssertEqual((try? FileManager.default.contentsOfDirectory(atPath: directory.file("tmp").path)) ?? [], [])
        return error
    }

    func testTruncatedArchive() {
        let error = prepare(Array(archive.prefix(archive.count * 3 / 5)), name: "truncated.tar.gz")
        guard case .truncated(let name, let detail)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(name, server.url("truncated.tar.gz"))
        XCTAssertTrue(detail.contains("without its end marker"), detail)
    }

    func testCorruptGzipChecksum() {
        var bytes = archive
        bytes[bytes.count - 8] ^= 0xFF  // the CRC-32 in the gzip trailer
        guard case .corruptGzip(_, let detail)? = prepare(bytes, name: "crc.tar.gz") else { return XCTFail() }
        XCTAssertTrue(detail.contains("incorrect data check"), detail)
    }

    func testNotGzipAtAll() {
        guard case .corruptGzip(_, let detail)? = prepare(Array("<html>hello</html>".utf8), name: "page.tar.gz") else {
            return XCTFail()
        }
        XCTAssertTrue(detail.contains("not a gzip file"), detail)
    }
}
