import Foundation

/// Reads a CIFAR-100 binary archive (.tar.gz) into memory, refusing anything that is not
/// exactly what it should be: a damaged gzip or tar stream, a missing member, a member
/// that is not a whole number of 3,074-byte records, a label outside the named classes,
/// or counts different from `contents`.
public enum CIFARArchiveReader {
    /// - Parameter name: how the archive is named in error messages (its source).
    public static func read(_ file: URL, name: String? = nil, contents: ExpectedContents? = nil) throws -> CIFARDataset
    {
        let gzip = try GzipReader(file: file, name: name)
        let tar = TarReader(gzip)
        let wanted: Set = [
            CIFAR100.trainMember, CIFAR100.testMember, CIFAR100.fineNamesMember, CIFAR100.coarseNamesMember,
        ]
        var bodies: [String: [UInt8]] = [:]
        var found: [String] = []
        while let entry = try tar.next() {
            let member = entry.name.hasPrefix("./") ? String(entry.name.dropFirst(2)) : entry.name
            found.append(member)
            if entry.isFile, wanted.contains(member) { bodies[member] = try tar.readBody() }
        }
        try gzip.readToEnd()
        func body(_ member: String) throws -> [UInt8] {
            guard let bytes = bodies[member] else {
                throw DatasetError.missingMember(archive: gzip.name, member: member, found: found)
            }
            return bytes
        }
        let fineNames = try labelNames(
            try body(CIFAR100.fineNamesMember), member: CIFAR100.fineNamesMember,
            expected: contents?.fineClasses)
        let coarseNames = try labelNames(
            try body(CIFAR100.coarseNamesMember), member: CIFAR100.coarseNamesMember,
            expected: contents?.coarseClasses)
        let train = try records(
            try body(CIFAR100.trainMember), member: CIFAR100.trainMember, expected: contents?.trainCount,
            fineClasses: fineNames.count, coarseClasses: coarseNames.count)
        bodies[CIFAR100.trainMember] = nil  // free the raw bytes early (154 MB for the real archive)
        let test = try records(
            try body(CIFAR100.testMember), member: CIFAR100.testMember, expected: contents?.testCount,
            fineClasses: fineNames.count, coarseClasses: coarseNames.count)
        return CIFARDataset(train: train, test: test, fineLabelNames: fineNames, coarseLabelNames: coarseNames)
    }

    /// Splits concatenated records (coarse label, fine label, 3,072 image bytes) into a split.
    static func records(
        _ bytes: [UInt8], member: String, expected: Int?, fineClasses: Int, coarseClasses: Int
    ) throws -> CIFARSplit {
        let recordBytes = CIFAR100.recordBytes, imageBytes = CIFAR100.imageBytes
        guard bytes.count % recordBytes == 0 else {
            throw DatasetError.recordSize(member: member, bytes: bytes.count, recordSize: recordBytes)
        }
        let count = bytes.count / recordBytes
        if let expected, expected != count {
            throw DatasetError.recordCount(member: member, expected: expected, actual: count)
        }
        var fine = [Int32](repeating: 0, count: count), coarse = [Int32](repeating: 0, count: count)
        for i in 0..<count {
            let c = Int(bytes[i * recordBytes]), f = Int(bytes[i * recordBytes + 1])
            guard c < coarseClasses else {
                throw DatasetError.labelOutOfRange(
                    member: member, record: i, kind: "coarse", value: c, classes: coarseClasses)
            }
            guard f < fineClasses else {
                throw DatasetError.labelOutOfRange(
                    member: member, record: i, kind: "fine", value: f, classes: fineClasses)
            }
            coarse[i] = Int32(c)
            fine[i] = Int32(f)
        }
        let images = [UInt8](unsafeUninitializedCapacity: count * imageBytes) { buffer, initialized in
            bytes.withUnsafeBufferPointer { source in
                for i in 0..<count {
                    UnsafeMutableRawPointer(buffer.baseAddress! + i * imageBytes)
                        .copyMemory(from: source.baseAddress! + i * recordBytes + 2, byteCount: imageBytes)
                }
            }
            initialized = count * imageBytes
        }
        return CIFARSplit(images: images, fineLabels: fine, coarseLabels: coarse)
    }

    /// One name per line (index = label); trailing blank lines are ignored, blank names are not.
    static func labelNames(_ bytes: [UInt8], member: String, expected: Int?) throws -> [String] {
        var lines = String(decoding: bytes, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if let blank = lines.firstIndex(where: \.isEmpty) {
            throw DatasetError.labelNames(member: member, detail: "line \(blank + 1) is blank")
        }
        guard !lines.isEmpty else { throw DatasetError.labelNames(member: member, detail: "no names") }
        if let expected, expected != lines.count {
            throw DatasetError.labelNames(member: member, detail: "expected \(expected) names, found \(lines.count)")
        }
        return lines
    }
}
