/// A paper file (`artifacts/paper/paper_tables.yaml`) that cannot be read as the paper's
/// tables: the place (file, line, column) and what is wrong there. It is the user's input
/// to fix (exit 2; the executable declares that, repro/ErrorClassification.swift).
public struct PaperFileError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let line: Int
    public let column: Int
    public let message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var isBadInput: Bool { true }

    public var description: String { "\(file):\(line):\(column): \(message)" }
}
