import Foundation

/// Where an archive comes from: a web address, or a file on this machine
/// (`file:` URLs and plain paths; relative ones resolve against a base directory,
/// the directory of pipeline.yaml).
public enum ArchiveSource: Equatable, Sendable, CustomStringConvertible {
    case http(URL)
    case file(URL)

    public init(_ text: String, relativeTo base: URL) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw DatasetError.badSource(text, reason: "empty") }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: trimmed), url.host != nil else {
                throw DatasetError.badSource(text, reason: "not a valid URL")
            }
            self = .http(url)
        } else if lower.hasPrefix("file:") {
            guard let url = URL(string: trimmed), !url.path.isEmpty else {
                throw DatasetError.badSource(text, reason: "not a valid file: URL")
            }
            // `file:data/x.tar.gz` (no slashes) is relative, like a plain path.
            self = .file(ArchiveSource.resolve(url.path, relativeTo: base))
        } else if let colon = trimmed.firstIndex(of: ":"), trimmed[..<colon].count > 1,
            trimmed[..<colon].allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }),
            !trimmed[..<colon].contains("/")
        {
            throw DatasetError.badSource(
                text, reason: "unsupported scheme '\(trimmed[..<colon])' (use http, https, file or a path)")
        } else {
            self = .file(ArchiveSource.resolve((trimmed as NSString).expandingTildeInPath, relativeTo: base))
        }
    }

    public var isRemote: Bool {
        if case .http = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .http(let url): return url.absoluteString
        case .file(let url): return url.path
        }
    }

    private static func resolve(_ path: String, relativeTo base: URL) -> URL {
        path.hasPrefix("/")
            ? URL(fileURLWithPath: path).standardizedFileURL
            : base.appendingPathComponent(path).standardizedFileURL
    }
}
