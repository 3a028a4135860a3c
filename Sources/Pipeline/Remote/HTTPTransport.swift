import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Blocking HTTP requests over one URLSession, so connections are reused from blob to
/// blob. A request may upload a file as its body and stream a 200 response's body into a
/// file; other bodies (error pages) are kept in memory, short. As Dataset's
/// `HTTPDownload` does: an ephemeral session, no local caching, `Accept-Encoding:
/// identity` (digests are of the bytes as stored, never transparently decompressed).
/// Unchecked Sendable: each task's state is touched only on the session's serial delegate
/// queue, and read by `perform` after the task's semaphore (which orders the accesses).
final class HTTPTransport: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    struct Response {
        let status: Int
        /// The body, when it was not streamed into a file (at most 64 KiB of it).
        let body: Data
    }

    private final class Task {
        let sink: FileHandle?
        let progress: (Int64) -> Void
        let done = DispatchSemaphore(value: 0)
        var status = 0
        var body = Data()
        var streamed: Int64 = 0
        var failure: Error?
        /// The server asked for credentials (401); the request already sent any we have.
        var challenged = false

        init(sink: FileHandle?, progress: @escaping (Int64) -> Void) {
            self.sink = sink
            self.progress = progress
        }
    }

    private var session: URLSession!
    private let lock = NSLock()
    private var tasks: [Int: Task] = [:]

    init(timeout: TimeInterval) {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1  // delegate callbacks arrive in order
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    deinit { session.finishTasksAndInvalidate() }

    /// Sends `request` (with the file `upload` as its body), waits for the whole response
    /// and returns it; with `download`, a 200 response's body goes into that file instead.
    /// A transport failure (refused, reset, timed out) throws the URLError.
    func perform(
        _ request: URLRequest, upload: URL? = nil, download: FileHandle? = nil,
        progress: @escaping (Int64) -> Void = { _ in }
    ) throws -> Response {
        var request = request
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let state = Task(sink: download, progress: progress)
        let task = upload.map { session.uploadTask(with: request, fromFile: $0) } ?? session.dataTask(with: request)
        lock.withLock { tasks[task.taskIdentifier] = state }
        task.resume()
        state.done.wait()
        lock.withLock { tasks[task.taskIdentifier] = nil }
        if let failure = state.failure { throw failure }
        return Response(status: state.status, body: state.body)
    }

    private func state(_ task: URLSessionTask) -> Task? {
        lock.withLock { tasks[task.taskIdentifier] }
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        state(dataTask)?.status = (response as? HTTPURLResponse)?.statusCode ?? 0
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let state = state(dataTask), state.failure == nil else { return }
        guard state.status == 200, let sink = state.sink else {
            if state.body.count < 65_536 { state.body.append(data.prefix(65_536 - state.body.count)) }
            return
        }
        do {
            try sink.write(contentsOf: data)
            state.streamed += Int64(data.count)
            state.progress(state.streamed)
        } catch {
            state.failure = error
            dataTask.cancel()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64, totalBytesSent: Int64,
        totalBytesExpectedToSend: Int64
    ) {
        state(task)?.progress(totalBytesSent)
    }

    /// A 401: the Authorization header we send is all we have, so the challenge is turned
    /// down and the request ends as "HTTP 401" (left to itself, FoundationNetworking waits
    /// for credentials for ever).
    func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        state(task)?.challenged = true
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let state = state(task) else { return }
        if state.challenged {
            state.status = 401
            state.done.signal()
            return
        }
        if state.failure == nil, let error { state.failure = error }
        if state.failure == nil, state.status == 200, state.sink != nil,
            let expected = task.response?.expectedContentLength, expected >= 0, expected != state.streamed
        {
            state.failure = URLError(.networkConnectionLost)  // cut short: retried
        }
        state.done.signal()
    }
}
