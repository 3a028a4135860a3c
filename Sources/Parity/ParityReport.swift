import Foundation

/// The outcome of checking one golden file: one line per compared tensor.
public struct ParityReport: Sendable {
    public struct Line: Sendable {
        public var name: String
        public var relmax: Double
        public var tolerance: Double
        public var passed: Bool { relmax <= tolerance }
    }

    public var file: String
    /// What the file was recognised as, e.g. "model step (cifar_resnet20_v1, 100 classes, batch 8)".
    public var kind: String
    public var lines: [Line] = []

    public var passed: Bool { lines.allSatisfy(\.passed) }
    public var failures: [Line] { lines.filter { !$0.passed } }
    public var worst: Line? { lines.max { $0.relmax / $0.tolerance < $1.relmax / $1.tolerance } }

    /// Compares `got` with its reference; a reference of another size (a damaged or
    /// foreign file) is refused with both sizes.
    mutating func add(_ name: String, _ got: [Float], _ reference: [Double], tolerance: Double) throws {
        guard got.count == reference.count else {
            throw ParityError.shapeMismatch(file: file, tensor: name, expected: [got.count], got: [reference.count])
        }
        lines.append(Line(name: name, relmax: relmax(got, reference), tolerance: tolerance))
    }

    /// The lines as printed by `repro parity`.
    public var text: String {
        let width = max(20, lines.map(\.name.count).max() ?? 0)
        var out = "\(file): \(kind)\n"
        for line in lines {
            let name = line.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let verdict = line.passed ? "ok" : "FAIL"
            out += "  \(name)  relmax \(format(line.relmax))  tolerance \(format(line.tolerance))  \(verdict)\n"
        }
        if let worst {
            out +=
                passed
                ? "passed: \(lines.count) tensors, worst relmax \(format(worst.relmax)) (\(worst.name))\n"
                : "FAILED: \(failures.count) of \(lines.count) tensors above tolerance\n"
        }
        return out
    }
}

func format(_ value: Double) -> String {
    if value == 0 { return "0" }
    if !value.isFinite { return "\(value)" }
    let exponent = Int((log10(value)).rounded(.down))
    let mantissa = value / pow(10, Double(exponent))
    let rounded = (mantissa * 10).rounded() / 10
    return rounded >= 10 ? "1.0e\(exponent + 1)" : "\(rounded)e\(exponent)"
}
