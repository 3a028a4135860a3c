import Foundation
import Support

/// What a push or pull did, for its last line, and what it could not do.
public struct TransferSummary: Sendable {
    /// "pushed" or "pulled".
    public let verb: String
    public var blobs = 0
    public var bytes: Int64 = 0
    /// Blobs the other side already had.
    public var blobsPresent = 0
    public var records = 0
    public var recordsPresent = 0
    public var seconds = 0.0
    /// One line per stage or blob that failed (pull goes on with the others).
    public var failures: [String] = []

    /// `pushed 40 blobs (45.6 MB in 2.3s, 19.8 MB/s), 12 already there; 25 run records, 3 already there`
    public var text: String {
        let rate = megabytes(Int64(Double(bytes) / max(seconds, 1e-3)))
        return "\(verb) \(blobs) blob\(blobs == 1 ? "" : "s") (\(megabytes(bytes)) in "
            + "\(Duration.text(seconds)), \(rate)/s), \(blobsPresent) already there; \(records) run "
            + "record\(records == 1 ? "" : "s"), \(recordsPresent) already there"
    }
}
