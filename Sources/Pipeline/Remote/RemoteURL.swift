import Foundation

/// Where a remote cache lives: `file:///path` (a directory on a shared filesystem) or
/// `http(s)://host[:port]/prefix` (Bazel's HTTP cache protocol under the prefix). Both
/// lay out the same paths: `cas/<sha256>` for blobs, `ac/<stage key>` for run records.
///
/// Its description never shows a user or password: log lines and errors print it. A
/// user and password in the URL itself are taken only from the command line
/// (`--remote https://user:pass@host/…`); pipeline.yaml must not hold them.
public struct RemoteURL: Sendable, Equatable, CustomStringConvertible {
    public enum Location: Sendable, Equatable {
        case directory(URL)
        case http(URL)
    }

    public let location: Location
    /// The URL's own user and password (command line only).
    let user: String?
    let password: String?

    /// Parses `text`; exit 2 for another scheme, a relative file path, or credentials where
    /// they are not allowed.
    public init(parsing text: String, allowCredentials: Bool) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw PipelineError.badInput("'\(Self.redact(text))' is not a URL (file:///path or https://host/prefix)")
        }
        switch scheme {
        case "file":
            guard components.path.hasPrefix("/"), components.host.map(\.isEmpty) ?? true else {
                throw PipelineError.badInput(
                    "'\(text)': a file remote needs an absolute path, as in file:///srv/repro-cache")
            }
            location = .directory(URL(fileURLWithPath: components.path).standardizedFileURL)
            user = nil
            password = nil
        case "http", "https":
            guard let host = components.host, !host.isEmpty else {
                throw PipelineError.badInput("'\(Self.redact(text))' names no host")
            }
            if components.user != nil || components.password != nil, !allowCredentials {
                throw PipelineError.badInput(
                    "'\(Self.redact(text))' holds credentials; pipeline.yaml must not: put them in ~/.netrc or "
                        + "REPRO_REMOTE_USER and REPRO_REMOTE_PASSWORD (or REPRO_REMOTE_TOKEN)")
            }
            user = components.user
            password = components.password
            var bare = components
            bare.user = nil
            bare.password = nil
            bare.query = nil
            bare.fragment = nil
            while bare.path.hasSuffix("/") { bare.path.removeLast() }
            location = .http(bare.url!)
        default:
            throw PipelineError.badInput(
                "unsupported remote scheme '\(scheme):' in '\(Self.redact(text))' (expected file://, http:// or "
                    + "https://)")
        }
    }

    /// The host name credentials are looked up by (~/.netrc's `machine`).
    var host: String? {
        if case .http(let url) = location { return url.host }
        return nil
    }

    public var description: String {
        switch location {
        case .directory(let url): return "file://" + url.path
        case .http(let url): return url.absoluteString
        }
    }

    /// `text` with any `user:password@` replaced by `***@`, for messages about a URL that
    /// did not parse.
    static func redact(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else {
            return text
        }
        let slash = text[scheme.upperBound...].firstIndex(of: "/") ?? text.endIndex
        guard at < slash else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(text[at...])
    }
}
