import Foundation

/// Timings of the data path, for `repro bench` (wall-clock figures: never hashed).
public enum DatasetBenchmark {
    public struct ConversionTiming: Sendable {
        public let images: Int
        public let archiveBytes: Int64
        /// Reading, checking and converting an archive whose digests are already known.
        public let convertSeconds: Double
        /// Computing MD5 + SHA-256 of the archive (done while downloading in real runs).
        public let digestSeconds: Double
    }

    /// Generates a synthetic archive of `generator`'s size in `directory`, then times its
    /// digests and its conversion to HDF5. The files are removed afterwards.
    public static func conversion(_ generator: SyntheticCIFAR = .fullSize(), in directory: URL) throws -> ConversionTiming {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let archive = directory.appendingPathComponent("bench-\(UUID().uuidString).tar.gz")
        let output = directory.appendingPathComponent("bench-\(UUID().uuidString).h5")
        defer {
            try? FileManager.default.removeItem(at: archive)
            try? FileManager.default.removeItem(at: output)
        }
        try generator.writeArchive(to: archive)
        var start = DispatchTime.now().uptimeNanoseconds
        let digests = try ArchiveDigests.of(file: archive)
        let digestSeconds = seconds(since: start)
        start = DispatchTime.now().uptimeNanoseconds
        let summary = try CIFARConverter.convert(archive: archive, digests: digests, output: output)
        let convertSeconds = seconds(since: start)
        let size = (try FileManager.default.attributesOfItem(atPath: archive.path)[.size] as? NSNumber)?.int64Value ?? 0
        return ConversionTiming(images: summary.trainCount + summary.testCount, archiveBytes: size,
                                convertSeconds: convertSeconds, digestSeconds: digestSeconds)
    }

    /// Images per second of a training loader (full augmentation, `mixing`, label smoothing
    /// 0.1) filling `batches` batches synchronously on `threads` threads.
    public static func loader(split: CIFARSplit, classes: Int, batchSize: Int = 256, threads: Int = 1,
                              mixing: MixingConfig = MixingConfig(kind: .interpolation), batches: Int = 20) -> Double {
        let loader = BatchLoader.training(split: split, classes: classes, batchSize: batchSize, seed: 0,
                                          mixing: mixing, labelSmoothing: 0.1, threads: threads)
        let order = loader.order(epoch: 0)
        var batch = Batch()
        loader.fill(&batch, epoch: 0, index: 0, order: order)  // allocate outside the timing
        let count = min(batches, loader.batchesPerEpoch)
        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<count { loader.fill(&batch, epoch: 0, index: index, order: order) }
        return Double(count * batchSize) / seconds(since: start)
    }

    private static func seconds(since start: UInt64) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}
