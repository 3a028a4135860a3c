import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One blocking http(s) download into an `ArchiveSink`, through URLSession.
/// URLSession reports a 404 as a normal response, so the status code is checked here:
/// anything but 200 cancels the transfer before its body is written.
/// Unchecked Sendable: the mutable state is touched only by the session's serial delegate
/// queue, and read by `run` after the completion semaphore (which orders the accesses).
final class HTTPDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let url: URL
    private let directory: URL
    private let progress: ((FetchProgress) -> Void)?
    private let done = DispatchSemaphore(value: 0)
    private var sink: ArchiveSink?
    private var failure: DatasetError?

    private init(url: URL, directory: URL, progress: ((FetchProgress) -> Void)?) {
        self.url = url
        self.directory = directory
        self.progress = progress
    }

    /// Downloads `url` into a new temporary file in `directory`; the caller owns the sink.
    /// - Parameter timeout: seconds without any data before giving up.
    static func run(
        _ url: URL, into directory: URL, timeout: TimeInterval,
        progress: ((FetchProgress) -> Void)?
    ) throws -> ArchiveSink {
        let download = HTTPDownload(url: url, directory: directory, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1  // delegate callbacks arrive in order
        let session = URLSession(configuration: configuration, delegate: download, delegateQueue: queue)
        var request = URLRequest(url: url)
        // The digests are of the file as stored: no transparent decompression on the way.
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        session.dataTask(with: request).resume()
        download.done.wait()
        session.finishTasksAndInvalidate()
        if let failure = download.failure ?? download.sink?.failure {
            download.sink?.abandon()
            throw failure
        }
        guard let sink = download.sink else {
            throw DatasetError.network(url: url.absoluteString, message: "the server sent no response")
        }
        return sink
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        guard status == 200 else {
            failure = .httpStatus(url: url.absoluteString, status: status)
            completionHandler(.cancel)
            return
        }
        do {
            let length = response.expectedContentLength
            sink = try ArchiveSink(
                directory: directory, source: url.absoluteString,
                total: length > 0 ? length : nil, progress: progress)
            completionHandler(.allow)
        } catch {
            failure = error as? DatasetError ?? .io("\(error)")
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        data.withUnsafeBytes { sink?.write($0) }
        if sink?.failure != nil { dataTask.cancel() }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if failure == nil, let error {
            failure = .network(url: url.absoluteString, message: error.localizedDescription)
        }
        if failure == nil, let sink,
            let expected = (task.response?.expectedContentLength).flatMap({ $0 > 0 ? $0 : nil }),
            sink.byteCount != expected
        {
            failure = .truncated(
                archive: url.absoluteString,
                detail: "the server announced \(expected) bytes but sent \(sink.byteCount)")
        }
        done.signal()
    }
}
