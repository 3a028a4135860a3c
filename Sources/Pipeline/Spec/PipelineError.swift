import Foundation

/// A place in a pipeline file, for error messages (`pipeline.yaml:12:5`).
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// What the pipeline commands report. `badInput` is the user's to fix (the pipeline
/// file, a parameter, a stage name: exit 2); `failed` means a stage or a check failed
/// (exit 1). The message is complete: it names the file, line, stage or output.
public enum PipelineError: ClassifiedError, CustomStringConvertible, Equatable {
    case badInput(String)
    case failed(String)

    /// An error at a place in the pipeline file.
    public static func spec(_ location: SourceLocation?, _ message: String) -> PipelineError {
        .badInput(location.map { "\($0): \(message)" } ?? message)
    }

    public var description: String {
        switch self {
        case .badInput(let message), .failed(let message): return message
        }
    }

    public var isBadInput: Bool {
        if case .badInput = self { return true }
        return false
    }
}
