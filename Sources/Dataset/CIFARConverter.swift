import Foundation
import HDF5
import Support

/// What a conversion wrote.
public struct ConversionSummary: Equatable, Sendable, CustomStringConvertible {
    public let trainCount: Int
    public let testCount: Int
    public let fineClasses: Int
    public let coarseClasses: Int
    public let source: ArchiveDigests

    public var description: String {
        "\(trainCount) train + \(testCount) test images, \(fineClasses) fine / \(coarseClasses) coarse classes"
    }
}

/// Converts a CIFAR-100 binary archive into one HDF5 file (byte-deterministic, zstd):
///
/// ```
/// /train/images          uint8 (N, 3, 32, 32)   NCHW, channels R, G, B; row 0 = top
/// /train/fine_labels     int32 (N)              0 ..< fine classes (the training label)
/// /train/coarse_labels   int32 (N)              0 ..< coarse classes
/// /test/...              the same
/// /fine_label_names      strings (fine classes)   index = label
/// /coarse_label_names    strings (coarse classes)
/// attributes on /: format "repro-cifar", format_version, source_md5, source_sha256,
///                  train_count, test_count, fine_classes, coarse_classes
/// ```
/// The source URL is deliberately not recorded: the same archive from any mirror or
/// path converts to the same bytes.
public enum CIFARConverter {
    public static let format = "repro-cifar"
    public static let formatVersion = 1

    /// Reads and checks the archive (`CIFARArchiveReader`), then writes `output`.
    /// - Parameters:
    ///   - name: the archive's name in error messages (its source).
    ///   - digests: the archive's digests, recorded as attributes (computed if nil).
    @discardableResult
    public static func convert(
        archive: URL, name: String? = nil, digests: ArchiveDigests? = nil,
        contents: ExpectedContents? = nil, output: URL
    ) throws -> ConversionSummary {
        let source = try digests ?? ArchiveDigests.of(file: archive)
        let dataset = try CIFARArchiveReader.read(archive, name: name, contents: contents)
        try write(dataset, source: source, to: output)
        return ConversionSummary(
            trainCount: dataset.train.count, testCount: dataset.test.count,
            fineClasses: dataset.fineClasses, coarseClasses: dataset.coarseClasses, source: source)
    }

    /// Writes a dataset in the layout above: the file appears complete under its name, or
    /// not at all.
    public static func write(_ dataset: CIFARDataset, source: ArchiveDigests, to output: URL) throws {
        try AtomicFile.write(to: output) { temporary in
            try H5File.write(temporary) { root in
                try root.setAttribute("format", format)
                try root.setAttribute("format_version", formatVersion)
                try root.setAttribute("source_md5", source.md5)
                try root.setAttribute("source_sha256", source.sha256)
                try root.setAttribute("train_count", dataset.train.count)
                try root.setAttribute("test_count", dataset.test.count)
                try root.setAttribute("fine_classes", dataset.fineClasses)
                try root.setAttribute("coarse_classes", dataset.coarseClasses)
                for (name, split) in [("train", dataset.train), ("test", dataset.test)] {
                    let group = try root.createGroup(name)
                    try group.write(
                        "images", split.images, shape: [split.count, CIFAR100.channels, CIFAR100.side, CIFAR100.side])
                    try group.write("fine_labels", split.fineLabels)
                    try group.write("coarse_labels", split.coarseLabels)
                }
                try root.writeStrings("fine_label_names", dataset.fineLabelNames)
                try root.writeStrings("coarse_label_names", dataset.coarseLabelNames)
            }
        }
    }

    /// Reads a converted file back, checking its format and shapes.
    public static func load(_ file: URL) throws -> CIFARDataset {
        do {
            return try H5File.read(file) { root in
                guard root.hasAttribute("format"), try root.stringAttribute("format") == format else {
                    throw DatasetError.notConverted(file: file.path, detail: "no format attribute '\(format)'")
                }
                let version = root.hasAttribute("format_version") ? try root.intAttribute("format_version") : 0
                guard version == formatVersion else {
                    throw DatasetError.notConverted(
                        file: file.path,
                        detail:
                            "format version \(version), this repro reads version \(formatVersion); rerun the dataset "
                            + "stage"
                    )
                }
                let fineNames = try root.readStrings("fine_label_names")
                let coarseNames = try root.readStrings("coarse_label_names")
                func split(_ name: String) throws -> CIFARSplit {
                    let images = try root.read("\(name)/images", as: UInt8.self)
                    let fine = try root.read("\(name)/fine_labels", as: Int32.self)
                    let coarse = try root.read("\(name)/coarse_labels", as: Int32.self)
                    let count = fine.values.count
                    guard images.shape == [count, CIFAR100.channels, CIFAR100.side, CIFAR100.side],
                        coarse.values.count == count
                    else {
                        throw DatasetError.notConverted(
                            file: file.path,
                            detail:
                                "\(name): images \(images.shape), \(count) fine and \(coarse.values.count) coarse "
                                + "labels"
                        )
                    }
                    // A label indexes the class scores (unchecked code in the engine): one out of
                    // range would read past them, so it is refused here with its record.
                    for (labels, classes, kind) in [
                        (fine.values, fineNames.count, "fine"), (coarse.values, coarseNames.count, "coarse"),
                    ] {
                        if let record = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
                            throw DatasetError.notConverted(
                                file: file.path,
                                detail:
                                    "\(name): record \(record): \(kind) label \(labels[record]) is out of range "
                                    + "0..<\(classes)"
                            )
                        }
                    }
                    return CIFARSplit(images: images.values, fineLabels: fine.values, coarseLabels: coarse.values)
                }
                return CIFARDataset(
                    train: try split("train"), test: try split("test"),
                    fineLabelNames: fineNames, coarseLabelNames: coarseNames)
            }
        } catch let error as H5Error {
            throw DatasetError.notConverted(file: file.path, detail: "\(error)")
        }
    }
}
