import Foundation
import Support

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One blocking http(s) download into an `ArchiveSink`, through Support's `HTTPTransport`.
/// The status code is checked before the body is written: anything but 200 leaves no
/// sink, and is reported with the status.
enum HTTPDownload {
    /// Downloads `url` into a new temporary file in `directory`; the caller owns the sink.
    /// - Parameter timeout: seconds without any data before giving up.
    static func run(
        _ url: URL, into directory: URL, timeout: TimeInterval,
        progress: ((FetchProgress) -> Void)?
    ) throws -> ArchiveSink {
        let transport = HTTPTransport(timeout: timeout)
        defer { transport.close() }
        var sink: ArchiveSink?
        let receive: HTTPTransport.Receive = { status, length in
            guard status == 200 else { return nil }
            let created = try ArchiveSink(
                directory: directory, source: url.absoluteString, total: length.flatMap { $0 > 0 ? $0 : nil },
                progress: progress)
            sink = created
            return { data in
                data.withUnsafeBytes { created.write($0) }
                if let failure = created.failure { throw failure }
            }
        }
        let response: HTTPTransport.Response
        do {
            response = try transport.perform(URLRequest(url: url), receive: receive)
        } catch HTTPTransportError.truncated(let expected, let received) {
            sink?.abandon()
            throw DatasetError.truncated(
                archive: url.absoluteString, detail: "the server announced \(expected) bytes but sent \(received)")
        } catch let error as DatasetError {
            sink?.abandon()
            throw error
        } catch {
            sink?.abandon()
            throw DatasetError.network(url: url.absoluteString, message: error.localizedDescription)
        }
        guard response.status == 200 else {
            throw DatasetError.httpStatus(url: url.absoluteString, status: response.status)
        }
        guard let sink else {
            throw DatasetError.network(url: url.absoluteString, message: "the server sent no response")
        }
        return sink
    }
}
