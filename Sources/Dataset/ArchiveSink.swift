import Foundation

/// The temporary file a download or copy streams into: bytes are written, hashed
/// (MD5 and SHA-256) and reported as progress in one pass. The file is removed
/// unless `finish()` succeeds; `abandon()` removes it in any case (failed verification).
final class ArchiveSink {
    let url: URL
    private let source: String
    private let total: Int64?
    private let progress: ((FetchProgress) -> Void)?
    private var stream: UnsafeMutablePointer<FILE>?
    private var accumulator = DigestAccumulator()
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastReport: UInt64 = 0
    private(set) var failure: DatasetError?
    private var finished = false

    init(directory: URL, source: String, total: Int64?, progress: ((FetchProgress) -> Void)?) throws {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("download-\(getpid())-\(UUID().uuidString).part")
        guard let stream = fopen(url.path, "wb") else {
            throw DatasetError.io("cannot create temporary file \(url.path): \(String(cString: strerror(errno)))")
        }
        self.stream = stream
        self.source = source
        self.total = total
        self.progress = progress
    }

    deinit {
        if !finished { abandon() }
    }

    var byteCount: Int64 { accumulator.byteCount }

    /// Appends bytes. A write error is remembered (and later thrown by `finish`).
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, let stream, bytes.count > 0 else { return }
        if fwrite(bytes.baseAddress, 1, bytes.count, stream) != bytes.count {
            failure = .io("cannot write \(url.path): \(String(cString: strerror(errno)))")
            return
        }
        accumulator.update(bytes)
        let now = DispatchTime.now().uptimeNanoseconds
        if now - lastReport > 100_000_000 {  // at most ten reports a second
            lastReport = now
            report(finished: false)
        }
    }

    /// Flushes to disk, closes and returns the digests.
    func finish() throws -> ArchiveDigests {
        if let failure { throw failure }
        guard let stream else { throw DatasetError.io("\(url.path) is already closed") }
        self.stream = nil
        let flushed = fflush(stream) == 0 && fsync(fileno(stream)) == 0
        if fclose(stream) != 0 || !flushed {
            throw DatasetError.io("cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
        finished = true
        report(finished: true)
        return accumulator.finish()
    }

    /// Closes and deletes the temporary file (idempotent).
    func abandon() {
        if let stream { fclose(stream) }
        stream = nil
        try? FileManager.default.removeItem(at: url)
    }

    private func report(finished: Bool) {
        guard let progress else { return }
        let seconds = max(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 1e-6)
        progress(
            FetchProgress(
                source: source, bytes: byteCount, total: total,
                bytesPerSecond: Double(byteCount) / seconds, finished: finished))
    }
}
