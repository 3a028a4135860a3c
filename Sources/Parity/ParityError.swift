/// Why a golden file could not be checked (bad input, exit 2), as opposed to a check that ran and failed.
public enum ParityError: Error, CustomStringConvertible {
    case unknownLayout(file: String, detail: String)
    case missingDataset(file: String, path: String)
    case badAttribute(file: String, name: String, detail: String)
    case companionOnly(file: String, mainFile: String)
    case shapeMismatch(file: String, tensor: String, expected: [Int], got: [Int])
    case unreadable(file: String, detail: String)

    /// Every case is a file that cannot be checked: bad input (exit 2).
    public var isBadInput: Bool { true }

    public var description: String {
        switch self {
        case .unknownLayout(let file, let detail):
            return "\(file): unknown golden-file layout (\(detail))"
        case .missingDataset(let file, let path):
            return "\(file): missing dataset \(path)"
        case .badAttribute(let file, let name, let detail):
            return "\(file): attribute \(name): \(detail)"
        case .companionOnly(let file, let mainFile):
            return "\(file) is a companion file; check its main file \(mainFile) instead"
        case .shapeMismatch(let file, let tensor, let expected, let got):
            return "\(file): tensor \(tensor) has shape \(got), the model expects \(expected)"
        case .unreadable(let file, let detail):
            return "\(file): cannot read: \(detail)"
        }
    }
}
