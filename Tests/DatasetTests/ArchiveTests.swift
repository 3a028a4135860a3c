import Foundation
import HDF5
import TestSupport
import XCTest

@testable import Dataset

final class ArchiveTests: XCTestCase {
    var directory: TemporaryDirectory!

    override func setUpWithError() throws { directory = try TemporaryDirectory() }
    override func tearDown() { directory?.remove() }

    func testDigitsArchiveConvertsToItsDocumentedContents() throws {
        let digests = try ArchiveDigests.of(file: Fixtures.digits)
        XCTAssertEqual(digests, ArchiveDigests(md5: Fixtures.digitsMD5, sha256: Fixtures.digitsSHA256))
        let output = directory.file("digits.h5")
        let summary = try CIFARConverter.convert(
            archive: Fixtures.digits, digests: digests,
            contents: ExpectedContents(trainCount: 1500, testCount: 297, fineClasses: 10, coarseClasses: 5),
            output: output)
        XCTAssertEqual(summary.trainCount, 1500)
        XCTAssertEqual(summary.testCount, 297)
        let digits = try CIFARConverter.load(output)
        XCTAssertEqual(digits.fineLabelNames.first, "zero")
        XCTAssertEqual(digits.fineLabelNames.last, "nine")
        XCTAssertEqual(digits.coarseLabelNames, ["zero_one", "two_three", "four_five", "six_seven", "eight_nine"])
        XCTAssertEqual(digits.train.coarseLabels, digits.train.fineLabels.map { $0 / 2 })
        XCTAssertEqual(Set(digits.test.fineLabels), Set(0..<10))
        // Grey images: the same plane in R, G and B; dark ink on a white border.
        let plane = 32 * 32
        XCTAssertEqual(Array(digits.train.images[0..<plane]), Array(digits.train.images[plane..<2 * plane]))
        XCTAssertEqual(digits.train.pixel(0, channel: 2, row: 0, column: 0), 255)
    }

    func testConversionIsByteDeterministic() throws {
        let archive = directory.file("small.tar.gz")
        try CIFARArchiveWriter.write(Fixtures.small, to: archive)
        try CIFARConverter.convert(archive: archive, output: directory.file("a.h5"))
        try CIFARConverter.convert(archive: archive, output: directory.file("b.h5"))
        XCTAssertEqual(try Data(contentsOf: directory.file("a.h5")), try Data(contentsOf: directory.file("b.h5")))
    }

    func testGeneratorIsDeterministicAndBalanced() {
        let again = SyntheticCIFAR(trainCount: 40, testCount: 12, fineClasses: 10, coarseClasses: 5, seed: 7).dataset()
        XCTAssertEqual(again.train.images, Fixtures.small.train.images)
        XCTAssertEqual(again.test.fineLabels, Fixtures.small.test.fineLabels)
        for label in 0..<10 { XCTAssertEqual(Fixtures.small.train.fineLabels.filter { $0 == label }.count, 4) }
        XCTAssertEqual(Fixtures.small.train.coarseLabels, Fixtures.small.train.fineLabels.map { $0 / 2 })
        let other = SyntheticCIFAR(trainCount: 40, testCount: 12, fineClasses: 10, coarseClasses: 5, seed: 8).dataset()
        XCTAssertNotEqual(other.train.images, Fixtures.small.train.images)
    }

    /// Writes the small dataset's members with `change` applied, then reads the archive.
    func read(
        _ change: (inout [(name: String, bytes: [UInt8])]) -> Void,
        contents: ExpectedContents? = nil
    ) -> DatasetError? {
        var members = CIFARArchiveWriter.members(of: Fixtures.small)
        change(&members)
        let file = directory.file("changed.tar.gz")
        return datasetError {
            try TarWriter.writeTarGz(members, to: file)
            _ = try CIFARArchiveReader.read(file, name: "changed.tar.gz", contents: contents)
        }
    }

    func testWrongRecordSize() {
        let error = read { $0[1].bytes.append(7) }
        XCTAssertEqual(error, .recordSize(member: CIFAR100.trainMember, bytes: 40 * 3074 + 1, recordSize: 3074))
    }

    func testLabelOutOfRange() {
        let error = read { $0[2].bytes[5 * 3074 + 1] = 10 }  // fine label of test record 5; 10 classes
        XCTAssertEqual(
            error, .labelOutOfRange(member: CIFAR100.testMember, record: 5, kind: "fine", value: 10, classes: 10))
        XCTAssertEqual(error?.description, "cifar-100-binary/test.bin: record 5: fine label 10 is out of range 0..<10")
    }

    func testMissingMember() {
        let error = read { $0.removeLast() }
        guard case .missingMember(let archive, let member, let found)? = error else {
            return XCTFail("\(String(describing: error))")
        }
        XCTAssertEqual(archive, "changed.tar.gz")
        XCTAssertEqual(member, CIFAR100.coarseNamesMember)
        XCTAssertEqual(found, [CIFAR100.fineNamesMember, CIFAR100.trainMember, CIFAR100.testMember])
    }

    func testMembersOutsideTheArchivesDirectoryAreRefused() {
        for name in ["../escape.txt", "/etc/escape.txt", "data/../../escape.txt"] {
            let error = read { $0.insert((name, Array("x".utf8)), at: 0) }
            XCTAssertEqual(error, .unsafeMember(archive: "changed.tar.gz", member: name))
        }
    }

    /// A converted file written by another format version is refused, not misread.
    func testConvertedFileOfAnotherFormatVersionIsRefused() throws {
        let file = directory.file("converted.h5")
        try CIFARConverter.write(Fixtures.small, source: ArchiveDigests(md5: "", sha256: ""), to: file)
        let h5 = try H5File.open(file, writable: true)
        try h5.root.setAttribute("format_version", 2)
        try h5.close()
        let error = datasetError { _ = try CIFARConverter.load(file) }
        XCTAssertEqual(
            error,
            .notConverted(
                file: file.path, detail: "format version 2, this repro reads version 1; rerun the dataset stage"))
    }

    /// A label the names do not cover would index past the class scores: refused on load.
    func testConvertedLabelOutsideTheNamedClassesIsRefused() throws {
        let file = directory.file("converted.h5")
        let small = Fixtures.small
        let fewer = CIFARDataset(
            train: small.train, test: small.test, fineLabelNames: Array(small.fineLabelNames.prefix(5)),
            coarseLabelNames: small.coarseLabelNames)
        try CIFARConverter.write(fewer, source: ArchiveDigests(md5: "", sha256: ""), to: file)
        let error = datasetError { _ = try CIFARConverter.load(file) }
        let record = small.train.fineLabels.firstIndex { $0 >= 5 }!
        XCTAssertEqual(
            error,
            .notConverted(
                file: file.path,
                detail: "train: record \(record): fine label \(small.train.fineLabels[record]) is out of range 0..<5"))
    }

    func testUnexpectedCounts() {
        XCTAssertEqual(
            read({ _ in }, contents: ExpectedContents(trainCount: 50_000)),
            .recordCount(member: CIFAR100.trainMember, expected: 50_000, actual: 40))
        XCTAssertEqual(
            read({ _ in }, contents: ExpectedContents(fineClasses: 100)),
            .labelNames(member: CIFAR100.fineNamesMember, detail: "expected 100 names, found 10"))
    }

    func testTarStreamCutInsideAMember() throws {
        let file = directory.file("cut.tar.gz")
        let gzip = try GzipWriter(file: file)
        try gzip.write(TarWriter.header(name: Array(CIFAR100.trainMember.utf8), size: 3074, type: "0"))
        try gzip.write([UInt8](repeating: 1, count: 100))
        try gzip.finish()
        let error = datasetError { _ = try CIFARArchiveReader.read(file, name: "cut.tar.gz") }
        guard case .truncated(_, let detail)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertTrue(detail.contains("3074 bytes stops after 100"), detail)
    }

    func testGzipOfSomethingElseIsNotATar() throws {
        let file = directory.file("text.tar.gz")
        let gzip = try GzipWriter(file: file)
        try gzip.write(Array(String(repeating: "not a tar archive\n", count: 100).utf8))
        try gzip.finish()
        guard case .corruptTar(_, 0, _)? = datasetError({ _ = try CIFARArchiveReader.read(file) }) else {
            return XCTFail()
        }
    }

    /// Archives made by the system's tar (GNU format with 'L' long names, POSIX pax with
    /// path records), including directory entries, read back exactly.
    func testArchivesWrittenBySystemTar() throws {
        let tree = directory.file("tree")
        let members = CIFARArchiveWriter.members(of: Fixtures.small)
        let long =
            "cifar-100-binary/" + String(repeating: "nested-directory-with-a-long-name/", count: 4) + "readme.txt"
        for (name, bytes) in members + [(long, Array("notes".utf8))] {
            let file = tree.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: file)
        }
        for format in ["gnu", "posix"] {
            let archive = directory.file("\(format).tar.gz")
            let tar = try TestProcess.program(
                "tar", ["--format=\(format)", "-czf", archive.path, "-C", tree.path, "cifar-100-binary"])
            XCTAssertEqual(tar.status, 0, tar.output)
            let read = try CIFARArchiveReader.read(archive)
            XCTAssertEqual(read.train.images, Fixtures.small.train.images, format)
            XCTAssertEqual(read.test.fineLabels, Fixtures.small.test.fineLabels, format)
            var names: [String] = []
            let reader = TarReader(try GzipReader(file: archive))
            while let entry = try reader.next() { names.append(entry.name) }
            XCTAssertTrue(names.contains(long), "\(format): \(names)")
        }
    }

    func testGNULongNamesAndConcatenatedGzipMembers() throws {
        let long = "cifar-100-binary/" + String(repeating: "very-long-directory-name/", count: 6) + "notes.txt"
        let file = directory.file("long.tar.gz")
        try TarWriter.writeTarGz([(long, Array("hello".utf8)), ("short.txt", [1, 2, 3])], to: file)
        let tar = TarReader(try GzipReader(file: file))
        var entries: [(String, [UInt8])] = []
        while let entry = try tar.next() { entries.append((entry.name, try tar.readBody())) }
        XCTAssertEqual(entries.map(\.0), [long, "short.txt"])
        XCTAssertEqual(entries.map(\.1), [Array("hello".utf8), [1, 2, 3]])

        // `cat a.gz b.gz` is one valid gzip stream; zero padding after it is ignored.
        var twice = try Data(contentsOf: file)
        twice.append(try Data(contentsOf: file))
        twice.append(Data(count: 100))
        let doubled = directory.file("twice.gz")
        try twice.write(to: doubled)
        let reader = try GzipReader(file: doubled)
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 4096)
        while case let count = try buffer.withUnsafeMutableBytes({ try reader.read(into: $0) }), count > 0 {
            total += count
        }
        // Per copy: 'L' header + name block, header + "hello", header + 3 bytes, two end blocks.
        XCTAssertEqual(total, 2 * (2 * 512 + 2 * 512 + 2 * 512 + 1024))
    }
}
