import Foundation

/// A name on a remote cache, in the layout of Bazel's HTTP cache: `cas/<sha256>` for a
/// blob (a file of the store), `ac/<stage key>` for a stage's run record (the JSON of
/// `artifacts/cache/runs/<key>.json`, which names every output, volatile ones included).
enum RemotePath: Sendable, Hashable, CustomStringConvertible {
    case blob(String)
    case record(String)

    var relative: String {
        switch self {
        case .blob(let sha): return "cas/\(sha)"
        case .record(let key): return "ac/\(key)"
        }
    }

    var description: String { relative }
}

/// A remote cache, as push and pull see it. Writes publish whole files only (the
/// directory remote renames a complete temporary file; an HTTP server writes to a
/// temporary name and renames it, as nginx's WebDAV and bazel-remote do), so two writers
/// at once leave one complete copy. Nothing here checks content: push re-hashes what it
/// sends and pull verifies what it receives against the name.
protocol RemoteCache: Sendable, CustomStringConvertible {
    /// True when the remote holds `path`.
    func contains(_ path: RemotePath) throws -> Bool

    /// Writes what the remote holds at `path` into a new file `file`, calling `progress`
    /// with the bytes received so far; false (and no file) when the remote has nothing.
    func fetch(_ path: RemotePath, to file: URL, progress: @escaping (Int64) -> Void) throws -> Bool

    /// Stores the file `file` at `path`, calling `progress` with the bytes sent so far.
    func store(_ file: URL, at path: RemotePath, progress: @escaping (Int64) -> Void) throws
}

extension RemoteCache {
    /// A small file (a run record) in memory; nil when the remote has none.
    func data(_ path: RemotePath, scratch: URL) throws -> Data? {
        defer { try? FileManager.default.removeItem(at: scratch) }
        guard try fetch(path, to: scratch, progress: { _ in }) else { return nil }
        return FileManager.default.contents(atPath: scratch.path)
    }
}

/// The remote cache a URL names.
func makeRemoteCache(_ url: RemoteURL, environment: [String: String]) throws -> any RemoteCache {
    switch url.location {
    case .directory(let directory): return FileRemote(root: directory, url: url)
    case .http(let base):
        return HTTPRemote(
            base: base, url: url,
            authorization: try RemoteCredentials(url: url, environment: environment).authorization)
    }
}

/// What went wrong talking to a remote. `transient` failures (HTTP 5xx, 408, 429, a
/// connection reset or timeout) are retried with backoff (`RemoteRetry`); the others are
/// final. Refused credentials are the user's to fix (exit 2), the rest a failure (exit 1).
enum RemoteError: ClassifiedError, CustomStringConvertible {
    case transient(String)
    case failed(String)
    case refused(String)

    var isBadInput: Bool {
        if case .refused = self { return true }
        return false
    }

    var description: String {
        switch self {
        case .transient(let message), .failed(let message), .refused(let message): return message
        }
    }
}
