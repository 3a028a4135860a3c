import Foundation

/// Retries a remote operation on transient failures (`RemoteError.transient`: HTTP 5xx,
/// 408 and 429, a connection refused, reset or timed out), waiting 0.5 s, 1 s, 2 s and
/// 4 s between the five attempts; any other error ends it at once.
enum RemoteRetry {
    static let delays: [Double] = [0.5, 1, 2, 4]

    static func run<T>(_ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch RemoteError.transient(let message) {
                guard attempt < delays.count else {
                    throw RemoteError.failed("\(message) (after \(attempt + 1) attempts)")
                }
                Thread.sleep(forTimeInterval: delays[attempt])
                attempt += 1
            }
        }
    }
}
