import Foundation
import Support

/// The progress line of a push or pull, in the run's style (`ProgressDisplay`: redrawn in
/// place on a terminal, a plain line every few seconds otherwise):
/// `push: 12.3 MB / 45.6 MB, 4.5 MB/s, 17/40 blobs [27.0%, 2.7s, ETA 7.4s]`.
final class TransferProgress: @unchecked Sendable {
    private let verb: String
    private let display: ProgressDisplay
    private let reporter: ProgressReporter
    private let lock = NSLock()
    private var totalBytes: Int64
    private let totalBlobs: Int
    private var doneBytes: Int64 = 0
    private var current: Int64 = 0
    private var doneBlobs = 0
    private let started = Date()

    init(verb: String, bytes: Int64, blobs: Int, quiet: Bool = false) {
        self.verb = verb
        totalBytes = bytes
        totalBlobs = blobs
        display = ProgressDisplay(quiet: quiet, plainInterval: 5)
        reporter = ProgressReporter(stage: verb, logFile: nil)
        display.add(reporter)
        update()
    }

    /// Bytes of the blob in flight so far.
    func inFlight(_ bytes: Int64) {
        lock.withLock { current = bytes }
        update()
    }

    /// A blob the other side already has: counted, and its bytes no longer expected.
    func skipped(bytes: Int64) {
        lock.withLock {
            totalBytes -= bytes
            doneBlobs += 1
        }
        update()
    }

    /// A blob sent or received whole.
    func finished(bytes: Int64) {
        lock.withLock {
            current = 0
            doneBytes += bytes
            doneBlobs += 1
        }
        update()
    }

    var transferred: Int64 { lock.withLock { doneBytes } }
    var seconds: Double { Date().timeIntervalSince(started) }

    /// A permanent line above the progress line.
    func emit(_ line: String) { display.emit(line) }

    func stop() {
        display.remove(reporter)
        display.stop()
    }

    private func update() {
        let (bytes, blobs, totalBytes) = lock.withLock { (doneBytes + current, doneBlobs, self.totalBytes) }
        let rate = Double(bytes) / max(seconds, 1e-3)
        let message =
            "\(megabytes(bytes)) / \(megabytes(totalBytes)), \(megabytes(Int64(rate)))/s, "
            + "\(blobs)/\(totalBlobs) blobs"
        reporter.update(message, fraction: totalBytes > 0 ? Double(bytes) / Double(totalBytes) : nil)
    }

}
