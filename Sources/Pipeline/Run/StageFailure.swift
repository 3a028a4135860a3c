/// Why a stage failed: the error its kind threw (kept typed, so the command line can tell
/// bad input from a failure) and the message printed for it, which adds the last lines
/// of the stage's log when it wrote one.
public struct StageFailure: ClassifiedError, CustomStringConvertible, Equatable {
    public let error: any Error
    public let message: String

    public init(_ error: any Error, logTail: String = "") {
        self.error = error
        self.message = "\(error)" + logTail
    }

    public var isBadInput: Bool { ErrorClass.isBadInput(error) }
    public var description: String { message }

    public static func == (a: StageFailure, b: StageFailure) -> Bool {
        a.message == b.message && a.isBadInput == b.isBadInput
    }
}
