import Foundation

/// Everything that can go wrong between a URL and a converted CIFAR file. Each case
/// carries what a user needs to act: the source, the member, the offset or record,
/// and expected against actual values. Rendered to text only by `description`.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    // Fetching
    case badSource(String, reason: String)
    case httpStatus(url: String, status: Int)
    case network(url: String, message: String)
    case missingFile(String)
    case io(String)
    /// Every source was tried and failed; `remote` (some source was http or https) adds
    /// how to use an archive downloaded by hand.
    case allSourcesFailed([SourceFailure], remote: Bool)

    // Verifying
    case badDigest(algorithm: String, value: String)
    case checksumMismatch(source: String, algorithm: String, expected: String, actual: String)

    // Unpacking and parsing
    case corruptGzip(archive: String, detail: String)
    case truncated(archive: String, detail: String)
    case corruptTar(archive: String, offset: Int64, detail: String)
    case missingMember(archive: String, member: String, found: [String])
    case unsafeMember(archive: String, member: String)
    case recordSize(member: String, bytes: Int, recordSize: Int)
    case recordCount(member: String, expected: Int, actual: Int)
    case labelOutOfRange(member: String, record: Int, kind: String, value: Int, classes: Int)
    case labelNames(member: String, detail: String)

    // Reading a converted file
    case notConverted(file: String, detail: String)

    /// A source that was tried and why it failed.
    public struct SourceFailure: Equatable, Sendable {
        public let source: String
        public let error: DatasetError

        public init(source: String, error: DatasetError) {
            self.source = source
            self.error = error
        }
    }

    /// True when the data itself is wrong (a checksum, a damaged or unexpected archive):
    /// the command line reports these as bad input (exit 2); the rest are failures (exit 1).
    public var isBadInput: Bool {
        switch self {
        case .badSource, .badDigest, .checksumMismatch, .corruptGzip, .truncated, .corruptTar,
            .missingMember, .unsafeMember, .recordSize, .recordCount, .labelOutOfRange, .labelNames, .notConverted:
            return true
        case .httpStatus, .network, .missingFile, .io:
            return false
        case .allSourcesFailed(let failures, _):
            return !failures.isEmpty && failures.allSatisfy { $0.error.isBadInput }
        }
    }

    public var description: String {
        switch self {
        case .badSource(let source, let reason):
            return "cannot use source '\(source)': \(reason)"
        case .httpStatus(let url, let status):
            return "\(url): HTTP status \(status)\(status == 404 ? " (not found)" : "")"
        case .network(let url, let message):
            return "\(url): \(message)"
        case .missingFile(let path):
            return "no such file: \(path)"
        case .io(let message):
            return message
        case .allSourcesFailed(let failures, let remote):
            var lines = ["could not fetch the archive from any source:"]
            lines += failures.map { "  - \($0.error)" }
            if failures.contains(where: { if case .network = $0.error { return true } else { return false } }) {
                lines.append("This machine seems to have no network access, or the hosts are unreachable.")
            }
            if remote {
                lines.append(
                    """
                    To use an archive downloaded by hand (elsewhere, or with a browser), point repro at it:
                      repro all --param \(CIFAR100.stageName).url=/path/to/cifar-100-binary.tar.gz
                    or set the environment variable \(CIFAR100.archiveVariable)=/path/to/cifar-100-binary.tar.gz \
                    (tried before the configured URLs). The checksums are still verified.
                    """)
            }
            return lines.joined(separator: "\n")
        case .badDigest(let algorithm, let value):
            return "'\(value)' is not a \(algorithm) digest (expected \(algorithm == "MD5" ? 32 : 64) hex digits)"
        case .checksumMismatch(let source, let algorithm, let expected, let actual):
            return "\(source): \(algorithm) mismatch: expected \(expected), got \(actual); nothing was stored"
        case .corruptGzip(let archive, let detail):
            return "\(archive): corrupt gzip data: \(detail)"
        case .truncated(let archive, let detail):
            return "\(archive): truncated archive: \(detail)"
        case .corruptTar(let archive, let offset, let detail):
            return "\(archive): corrupt tar data at byte \(offset) of the unpacked stream: \(detail)"
        case .missingMember(let archive, let member, let found):
            let listing = found.isEmpty ? "no members" : found.prefix(8).joined(separator: ", ")
            return "\(archive): missing member \(member) (found: \(listing))"
        case .unsafeMember(let archive, let member):
            return
                "\(archive): member '\(member)' would land outside the archive's directory (an absolute path or "
                + "'..'); refused"
        case .recordSize(let member, let bytes, let recordSize):
            return "\(member): \(bytes) bytes is not a whole number of \(recordSize)-byte records"
        case .recordCount(let member, let expected, let actual):
            return "\(member): expected \(expected) records, found \(actual)"
        case .labelOutOfRange(let member, let record, let kind, let value, let classes):
            return "\(member): record \(record): \(kind) label \(value) is out of range 0..<\(classes)"
        case .labelNames(let member, let detail):
            return "\(member): \(detail)"
        case .notConverted(let file, let detail):
            return "\(file) is not a converted CIFAR file: \(detail)"
        }
    }
}
