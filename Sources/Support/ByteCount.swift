import Foundation

/// How repro prints a number of bytes on a progress or summary line: `12.3 MB` (10^6 bytes).
public func megabytes(_ bytes: Int64) -> String {
    String(format: "%.1f MB", Double(bytes) / 1e6)
}
