import Foundation
import Support

/// How far a download or copy has come, for a terminal progress line.
public struct FetchProgress: Sendable, CustomStringConvertible {
    public let source: String
    public let bytes: Int64
    /// Total size if the server (or file system) said; nil otherwise.
    public let total: Int64?
    public let bytesPerSecond: Double
    public let finished: Bool

    /// Seconds left at the current rate, if the total is known.
    public var secondsLeft: Double? {
        guard let total, bytesPerSecond > 0 else { return nil }
        return Double(max(total - bytes, 0)) / bytesPerSecond
    }

    /// `12.3 MB / 168.5 MB  4.5 MB/s  ETA 0:35`
    public var description: String {
        var text = megabytes(bytes)
        if let total { text += " / " + megabytes(total) }
        text += "  " + String(format: "%.1f MB/s", bytesPerSecond / 1e6)
        if !finished, let seconds = secondsLeft {
            let whole = Int(seconds.rounded(.up))
            text += String(format: "  ETA %d:%02d", whole / 60, whole % 60)
        }
        return text
    }

}
