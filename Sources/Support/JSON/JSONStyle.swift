import Foundation

/// How a document is spelled in bytes. Keys are sorted in every style, so equal values
/// give equal bytes.
///
/// Two spellings exist because two writers came first, and their bytes are hashed:
/// - repro's (`canonical`, `pretty`): a float always carries a `.` or an exponent, so a
///   value read back is the value written; keys in code-point order. Stage keys, the lock,
///   run records and the cache's side records.
/// - Foundation's `JSONEncoder` with `.sortedKeys` (`foundation`, `foundationPretty`): an
///   integral float loses its `.0`, `/` is escaped, `" : "` between key and value, keys in
///   Foundation's order. The training outputs (history, timing, evaluation and table
///   numbers) and the checkpoints' config attribute, whose bytes the lock records; a
///   non-finite number is an error, as it was there.
public enum JSONStyle: Sendable {
    /// One line, no spaces: what stage keys hash.
    case canonical
    /// Two-space indents and a trailing newline: the lock and the cache's records.
    case pretty
    /// Foundation's one line, no trailing newline: the checkpoint's config attribute.
    case foundation
    /// Foundation's `.prettyPrinted`, plus a trailing newline: the training outputs.
    case foundationPretty

    var indented: Bool { self == .pretty || self == .foundationPretty }
    var isFoundation: Bool { self == .foundation || self == .foundationPretty }
}

extension JSONValue {
    /// One line, no spaces: the canonical encoding hashed into stage keys.
    public var canonical: String { JSONWriter(style: .canonical).text(self) }

    /// Two-space indented, sorted keys, trailing newline: what repro's files on disk hold.
    public var pretty: String { JSONWriter(style: .pretty).text(self) }

    /// The document in `style`. Throws only for a non-finite number in Foundation's spelling.
    public func text(_ style: JSONStyle) throws -> String {
        if style.isFoundation, let bad = firstNonFinite {
            let context = EncodingError.Context(codingPath: [], debugDescription: "\(bad) has no JSON spelling")
            throw EncodingError.invalidValue(bad, context)
        }
        return JSONWriter(style: style).text(self)
    }

    /// Swift's shortest round-trip spelling, with -0.0 folded into 0.0.
    public static func spell(_ value: Double) -> String {
        value == 0 ? "0.0" : "\(value)"
    }

    private var firstNonFinite: Double? {
        switch self {
        case .double(let d): return d.isFinite ? nil : d
        case .array(let items): return items.lazy.compactMap(\.firstNonFinite).first
        case .object(let members): return members.values.lazy.compactMap(\.firstNonFinite).first
        default: return nil
        }
    }
}

/// Renders a document in one style.
struct JSONWriter {
    let style: JSONStyle
    private var out = ""

    init(style: JSONStyle) { self.style = style }

    func text(_ value: JSONValue) -> String {
        var writer = self
        writer.write(value, depth: 0)
        return style.indented ? writer.out + "\n" : writer.out
    }

    private mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += spell(d)
        case .string(let s): quote(s)
        case .array(let items):
            writeList("[", "]", items, depth) { writer, item in writer.write(item, depth: depth + 1) }
        case .object(let members):
            writeList("{", "}", sortedKeys(members), depth) { writer, key in
                writer.quote(key)
                writer.out += writer.style.indented ? (writer.style.isFoundation ? " : " : ": ") : ":"
                writer.write(members[key]!, depth: depth + 1)
            }
        }
    }

    private mutating func writeList<T>(
        _ open: String, _ close: String, _ items: [T], _ depth: Int,
        _ body: (inout JSONWriter, T) -> Void
    ) {
        out += open
        if items.isEmpty {
            // Foundation's pretty printer breaks the line of an empty array or object too
            if style == .foundationPretty {
                out += "\n"
                newline(depth)
            }
            out += close
            return
        }
        for (n, item) in items.enumerated() {
            if n > 0 { out += "," }
            newline(depth + 1)
            body(&self, item)
        }
        newline(depth)
        out += close
    }

    private mutating func newline(_ depth: Int) {
        guard style.indented else { return }
        out += "\n" + String(repeating: "  ", count: depth)
    }

    private func spell(_ value: Double) -> String {
        guard style.isFoundation else { return JSONValue.spell(value) }
        let text = "\(value)"
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    /// Foundation sorts by UTF-8 bytes, repro by String's order. The two differ beyond ASCII
    /// (the lock's claim metrics have such keys): each style keeps the order its files have.
    private func sortedKeys(_ members: [String: JSONValue]) -> [String] {
        guard style.isFoundation else { return members.keys.sorted() }
        return members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    private mutating func quote(_ s: String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where style.isFoundation: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}" where style.isFoundation: out += "\\b"
            case "\u{0C}" where style.isFoundation: out += "\\f"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
