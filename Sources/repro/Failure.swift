import Foundation
import Pipeline

/// The command line's own errors (a check that failed, a bad option value), with the exit
/// code of the contract: 1 when a stage or check failed, 2 for bad usage or bad input.
/// Stage kinds throw their modules' errors instead; `Main` classifies both the same way.
struct Failure: ClassifiedError, CustomStringConvertible {
    let message: String
    let code: Int32

    static func failed(_ message: String) -> Failure { Failure(message: message, code: 1) }
    static func badInput(_ message: String) -> Failure { Failure(message: message, code: 2) }

    var isBadInput: Bool { code == 2 }
    var description: String { message }
}
