import Foundation
import Support

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A remote cache over HTTP(S), in Bazel's HTTP cache protocol: `HEAD`, `GET` and `PUT`
/// of `<prefix>/cas/<sha256>` and `<prefix>/ac/<key>`. bazel-remote serves it, and so
/// does nginx with WebDAV PUT; pulls need only GET, so any static host serves them.
/// Transient failures are retried (`RemoteRetry`).
struct HTTPRemote: RemoteCache {
    let base: URL
    let url: RemoteURL
    /// The `Authorization` header (`RemoteCredentials`); never printed.
    let authorization: String?
    private let transport = HTTPTransport(timeout: 60)

    init(base: URL, url: RemoteURL, authorization: String?) {
        self.base = base
        self.url = url
        self.authorization = authorization
    }

    var description: String { url.description }

    func contains(_ path: RemotePath) throws -> Bool {
        try RemoteRetry.run {
            let response = try send("HEAD", path)
            if response.status == 404 { return false }
            try check(response, "HEAD", path)
            return true
        }
    }

    func fetch(_ path: RemotePath, to file: URL, progress: @escaping (Int64) -> Void) throws -> Bool {
        try RemoteRetry.run {
            guard FileManager.default.createFile(atPath: file.path, contents: nil),
                let sink = FileHandle(forWritingAtPath: file.path)
            else { throw RemoteError.failed("cannot create \(file.path)") }
            defer { try? sink.close() }
            let response = try send("GET", path, download: sink, progress: progress)
            if response.status == 404 {
                try? FileManager.default.removeItem(at: file)
                return false
            }
            try check(response, "GET", path)
            return true
        }
    }

    func store(_ file: URL, at path: RemotePath, progress: @escaping (Int64) -> Void) throws {
        try RemoteRetry.run {
            let response = try send("PUT", path, upload: file, progress: progress)
            guard (200..<300).contains(response.status) else { return try check(response, "PUT", path) }
        }
    }

    private func send(
        _ method: String, _ path: RemotePath, upload: URL? = nil, download: FileHandle? = nil,
        progress: @escaping (Int64) -> Void = { _ in }
    ) throws -> HTTPTransport.Response {
        var request = URLRequest(url: base.appendingPathComponent(path.relative))
        request.httpMethod = method
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if upload != nil { request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type") }
        // A 200's body goes into the download file; any other stays in memory (an error page).
        let receive: HTTPTransport.Receive = { status, _ in
            guard status == 200, let download else { return nil }
            return { try download.write(contentsOf: $0) }
        }
        do {
            return try transport.perform(request, upload: upload, progress: progress, receive: receive)
        } catch HTTPTransportError.truncated(let expected, let received) {
            throw RemoteError.transient("\(method) \(self)/\(path): cut short at \(received) of \(expected) bytes")
        } catch let error as URLError {
            let message = "\(method) \(self)/\(path): \(error.localizedDescription)"
            let transient: [URLError.Code] = [
                .timedOut, .cannotConnectToHost, .networkConnectionLost, .notConnectedToInternet,
                .badServerResponse, .dnsLookupFailed,
            ]
            throw transient.contains(error.code) ? RemoteError.transient(message) : RemoteError.failed(message)
        }
    }

    /// Returns for 200; throws what any other status means.
    private func check(_ response: HTTPTransport.Response, _ method: String, _ path: RemotePath) throws {
        let status = response.status
        if status == 200 { return }
        // A plain-text reason is worth showing; an HTML error page is not.
        let first = String(decoding: response.body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).first
        let detail = first.map { $0.hasPrefix("<") ? "" : ": " + $0 } ?? ""
        let message = "\(method) \(self)/\(path): HTTP \(status)\(detail)"
        switch status {
        case 401, 403:
            throw RemoteError.refused(
                "\(message); the remote refused the credentials (give them in ~/.netrc, REPRO_REMOTE_USER and "
                    + "REPRO_REMOTE_PASSWORD, or REPRO_REMOTE_TOKEN)")
        case 408, 429, 500...599: throw RemoteError.transient(message)
        case 400 where method == "PUT" && path.relative.hasPrefix("ac/"):
            // bazel-remote checks that an AC entry is a Bazel ActionResult; a run record is JSON.
            throw RemoteError.failed("\(message) (bazel-remote: start it with --disable_http_ac_validation)")
        default: throw RemoteError.failed(message)
        }
    }
}
