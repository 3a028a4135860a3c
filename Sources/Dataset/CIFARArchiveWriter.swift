import Foundation

/// Writes a dataset as a CIFAR-100 binary archive (the inverse of `CIFARArchiveReader`):
/// the four members under `cifar-100-binary/`, records of coarse label, fine label and
/// the R, G, B planes.
public enum CIFARArchiveWriter {
    public static func write(_ dataset: CIFARDataset, to file: URL, level: Int32 = 6) throws {
        try TarWriter.writeTarGz(members(of: dataset), to: file, level: level)
    }

    /// The archive's members in the order of the real archive.
    public static func members(of dataset: CIFARDataset) -> [(name: String, bytes: [UInt8])] {
        [
            (CIFAR100.fineNamesMember, names(dataset.fineLabelNames)),
            (CIFAR100.trainMember, records(dataset.train)),
            (CIFAR100.testMember, records(dataset.test)),
            (CIFAR100.coarseNamesMember, names(dataset.coarseLabelNames)),
        ]
    }

    public static func records(_ split: CIFARSplit) -> [UInt8] {
        let recordBytes = CIFAR100.recordBytes, imageBytes = CIFAR100.imageBytes
        return [UInt8](unsafeUninitializedCapacity: split.count * recordBytes) { buffer, initialized in
            split.images.withUnsafeBufferPointer { images in
                for i in 0..<split.count {
                    let record = buffer.baseAddress! + i * recordBytes
                    record[0] = UInt8(split.coarseLabels[i])
                    record[1] = UInt8(split.fineLabels[i])
                    UnsafeMutableRawPointer(record + 2).copyMemory(
                        from: images.baseAddress! + i * imageBytes, byteCount: imageBytes)
                }
            }
            initialized = split.count * recordBytes
        }
    }

    static func names(_ names: [String]) -> [UInt8] {
        Array(names.map { $0 + "\n" }.joined().utf8)
    }
}
