import Foundation

/// The paper's tables, numbers and claims as the table and report stages use them, read from
/// the project's paper file (`artifacts/paper/paper_tables.yaml`; its header gives the
/// schema). Report parses the file itself (it depends on Yams for that, as Pipeline does),
/// so the typed model, its schema and its checks stay in one module and its tests read the
/// committed file; the executable only says where the file is and hashes it into the keys.
public struct Paper: Sendable {
    /// Tables I–V, in the paper's order.
    public let tables: [PaperTable]
    /// The results the paper gives only in its text, as a table for the report (top-1/top-5).
    public let text: PaperTable

    /// The conventional place of the paper file, relative to pipeline.yaml.
    public static let defaultFile = "artifacts/paper/paper_tables.yaml"

    /// The table with file name `id` ("table3") or numeral ("III").
    public func table(_ id: String) -> PaperTable? {
        tables.first { $0.id == id || $0.numeral == id }
    }

    /// Reads `url`; `name` is how errors name the file (its path relative to pipeline.yaml).
    public static func load(_ url: URL, name: String) throws -> Paper {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PaperFileError(
                file: name, line: 1, column: 1, message: "cannot read the paper file: \(error.localizedDescription)")
        }
        return try parse(text, file: name)
    }

    /// Parses the text of a paper file named `file` in messages.
    public static func parse(_ text: String, file: String) throws -> Paper {
        var parser = PaperFileParser(reader: PaperFileReader(file: file))
        return try parser.paper(text)
    }

    init(tables: [PaperTable], text: PaperTable) {
        self.tables = tables
        self.text = text
    }
}
