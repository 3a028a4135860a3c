import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Blocking HTTP requests over one URLSession, so connections are reused from request to
/// request: the one HTTP client of repro (the dataset's download, the remote caches of
/// push and pull). An ephemeral session, no local caching, `Accept-Encoding: identity`
/// (digests are of the bytes as served, never transparently decompressed). A request may
/// upload a file as its body; a response's body goes to the consumer `receive` returns
/// for its status and announced length, or, without one, stays in memory (64 KiB at most:
/// an error page). A body shorter than announced throws `HTTPTransportError.truncated`.
/// Unchecked Sendable: each task's state is touched only on the session's serial delegate
/// queue, and read by `perform` after the task's semaphore (which orders the accesses).
public final class HTTPTransport: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    public struct Response: Sendable {
        public let status: Int
        /// The body, when no consumer took it (at most 64 KiB of it).
        public let body: Data
    }

    /// Given the status and the announced length (nil: unknown), the consumer of the body's
    /// bytes, or nil to keep the body in memory. Throwing cancels the request.
    public typealias Receive = (_ status: Int, _ length: Int64?) throws -> ((Data) throws -> Void)?

    private final class Task {
        let receive: Receive?
        let progress: (Int64) -> Void
        let done = DispatchSemaphore(value: 0)
        var status = 0
        var expected: Int64?
        var consumer: ((Data) throws -> Void)?
        var body = Data()
        var streamed: Int64 = 0
        var failure: Error?
        /// The server asked for credentials (401); the request already sent any we have.
        var challenged = false

        init(receive: Receive?, progress: @escaping (Int64) -> Void) {
            self.receive = receive
            self.progress = progress
        }
    }

    private var session: URLSession!
    private let lock = NSLock()
    private var tasks: [Int: Task] = [:]

    /// - Parameter timeout: seconds without any data before a request fails.
    public init(timeout: TimeInterval) {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1  // delegate callbacks arrive in order
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: queue)
    }

    /// Ends the session once its requests are done (the session holds its delegate until then).
    public func close() { session.finishTasksAndInvalidate() }

    /// Sends `request` (with the file `upload` as its body), waits for the whole response
    /// and returns it. `progress` sees the bytes sent (upload) or consumed so far. A
    /// transport failure (refused, reset, timed out) throws the URLError; a consumer's or
    /// `receive`'s error is rethrown as it was.
    public func perform(
        _ request: URLRequest, upload: URL? = nil, progress: @escaping (Int64) -> Void = { _ in },
        receive: Receive? = nil
    ) throws -> Response {
        var request = request
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let state = Task(receive: receive, progress: progress)
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

    public func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        guard let state = state(dataTask) else { return completionHandler(.cancel) }
        state.status = (response as? HTTPURLResponse)?.statusCode ?? 0
        state.expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        do {
            state.consumer = try state.receive?(state.status, state.expected)
            completionHandler(.allow)
        } catch {
            state.failure = error
            completionHandler(.cancel)
        }
    }

    public func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard let state = state(dataTask), state.failure == nil else { return }
        guard let consumer = state.consumer else {
            if state.body.count < 65_536 { state.body.append(data.prefix(65_536 - state.body.count)) }
            return
        }
        do {
            try consumer(data)
            state.streamed += Int64(data.count)
            state.progress(state.streamed)
        } catch {
            state.failure = error
            dataTask.cancel()
        }
    }

    public func urlSession(
        _ session: URLSession, task: URLSessionTask, didSendBodyData bytesSent: Int64, totalBytesSent: Int64,
        totalBytesExpectedToSend: Int64
    ) {
        state(task)?.progress(totalBytesSent)
    }

    /// A 401: the Authorization header the request carries is all there is, so the
    /// challenge is turned down and the request ends as "HTTP 401" (left to itself,
    /// FoundationNetworking waits for credentials for ever).
    public func urlSession(
        _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
        completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
    ) {
        state(task)?.challenged = true
        completionHandler(.cancelAuthenticationChallenge, nil)
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        guard let state = state(task) else { return }
        if state.challenged {
            state.status = 401
            state.failure = nil
        } else if state.failure == nil, let error {
            state.failure = error
        } else if state.failure == nil, state.consumer != nil, let expected = state.expected,
            expected != state.streamed
        {
            state.failure = HTTPTransportError.truncated(expected: expected, received: state.streamed)
        }
        state.done.signal()
    }
}

/// A response body cut short: the server announced `expected` bytes and sent `received`.
public enum HTTPTransportError: Error, Equatable {
    case truncated(expected: Int64, received: Int64)
}
