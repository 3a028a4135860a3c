import Foundation

/// An error that ends the command with a message and an exit code of the contract:
/// 1 when a stage or check failed, 2 for bad usage or bad input.
struct Failure: Error, CustomStringConvertible {
    let message: String
    let code: Int32

    static func failed(_ message: String) -> Failure { Failure(message: message, code: 1) }
    static func badInput(_ message: String) -> Failure { Failure(message: message, code: 2) }

    var description: String { message }
}
