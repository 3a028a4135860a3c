import Foundation
import HDF5
import Tensor

/// `repro bench --storage`: HDF5 + Zstandard write and read throughput on a 100 MB
/// float32 dataset like trained weights (normal, std 0.05: random mantissas compress
/// little, the realistic worst case), in a temporary directory.
enum StorageBench {
    struct Result {
        let megabytes: Double
        let writeMBps: Double
        let readMBps: Double
        let compressedMB: Double
        let plainWriteMBps: Double
        let plainReadMBps: Double

        var summary: String {
            String(
                format:
                    "hdf5 %.0f MB float32: zstd write %.0f MB/s, read %.0f MB/s, file %.1f MB (ratio %.2f); "
                    + "uncompressed write %.0f MB/s, read %.0f MB/s",
                megabytes, writeMBps, readMBps, compressedMB, megabytes / compressedMB, plainWriteMBps, plainReadMBps)
        }

        var json: String {
            String(
                format:
                    "{\"hdf5_megabytes\":%.1f,\"zstd_write_mb_per_sec\":%.1f,\"zstd_read_mb_per_sec\":%.1f,"
                    + "\"zstd_file_mb\":%.2f,\"plain_write_mb_per_sec\":%.1f,\"plain_read_mb_per_sec\":%.1f}",
                megabytes, writeMBps, readMBps, compressedMB, plainWriteMBps, plainReadMBps)
        }
    }

    static func run() throws -> Result {
        let count = 25_000_000  // 100 MB of float32
        var random = RandomStream(seed: 1, purpose: "bench-storage")
        let values = (0..<count).map { _ in Float(random.normal() * 0.05) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "repro-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func measure(_ compression: H5Compression) throws -> (write: Double, read: Double, bytes: Int) {
            let file = directory.appendingPathComponent("bench-\(compression == .none ? "plain" : "zstd").h5")
            let started = Date()
            try H5File.write(file) { try $0.write("w", values, shape: [5000, 5000], compression: compression) }
            let written = Date().timeIntervalSince(started)
            let readStart = Date()
            let back = try H5File.read(file) { try $0.read("w", as: Float.self) }
            let read = Date().timeIntervalSince(readStart)
            guard back.values == values else { throw Failure.failed("bench --storage: the data read back differs") }
            let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
            return (written, read, size)
        }
        let zstd = try measure(.standard)
        let plain = try measure(.none)
        let megabytes = Double(count * 4) / 1e6
        return Result(
            megabytes: megabytes, writeMBps: megabytes / zstd.write, readMBps: megabytes / zstd.read,
            compressedMB: Double(zstd.bytes) / 1e6, plainWriteMBps: megabytes / plain.write,
            plainReadMBps: megabytes / plain.read)
    }
}
