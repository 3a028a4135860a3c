import Yams

/// Turns a paper file's nodes into `Paper`: every name a note, a bold cell or a claim uses
/// must be a row and column of its table, every cell has a number or an explicit null.
struct PaperFileParser {
    let reader: PaperFileReader
    /// The tables read so far: a claim's `paper_base` may name an earlier table.
    private(set) var tables: [PaperTable] = []

    init(reader: PaperFileReader) {
        self.reader = reader
    }

    static let tableKeys = [
        "id", "numeral", "title", "row_header", "columns", "layout", "metric", "rows", "quoted_rows",
        "notes", "bold", "claims", "claims_note",
    ]
    static let textKeys = ["title", "row_header", "columns", "rows"]

    mutating func paper(_ text: String) throws -> Paper {
        let root = try reader.compose(text)
        let top = try reader.entries(root, "the paper file", allowed: ["paper", "tables", "text_results"])
        for node in try reader.sequence(try reader.required(top, "tables", in: root, "the paper file"), "tables") {
            let table = try self.table(node)
            if tables.contains(where: { $0.id == table.id }) {
                throw reader.error(node, "table '\(table.id)' appears twice")
            }
            tables.append(table)
        }
        let text = try self.table(
            try reader.required(top, "text_results", in: root, "the paper file"), id: "text", numeral: "")
        return Paper(tables: tables, text: text)
    }

    /// A table of `tables:`, or (with `id` given) the text-only results.
    private func table(
        _ node: Node, id fixedID: String? = nil, numeral fixedNumeral: String? = nil
    ) throws -> PaperTable {
        let what = fixedID == nil ? "a table" : "text_results"
        let entries = try reader.entries(node, what, allowed: fixedID == nil ? Self.tableKeys : Self.textKeys)
        func text(_ key: String) throws -> String {
            try reader.string(try reader.required(entries, key, in: node, what), "'\(key)' of \(what)")
        }
        let id = try fixedID ?? text("id")
        let name = fixedID == nil ? "table \(id)" : what
        let columns = try self.columns(try reader.required(entries, "columns", in: node, name), name)
        let (rows, values) = try self.rows(try reader.required(entries, "rows", in: node, name), columns, name)
        let cells = CellNames(rows: rows, columns: columns.map(\.key), table: name, reader: reader)
        let notes = try reader.optional(entries, "notes").map { try self.notes($0, cells) } ?? [:]
        let bold =
            try reader.optional(entries, "bold").map {
                try Set(reader.sequence($0, "bold of \(name)").map { try cells.key($0) })
            } ?? []
        let quoted = try reader.optional(entries, "quoted_rows").map { try self.quotedRows($0, cells) } ?? [:]
        let layout = try self.layout(entries, node, name)
        let shape = PaperTable(
            id: id, numeral: try fixedNumeral ?? text("numeral"), title: try text("title"),
            rowHeader: try text("row_header"), rows: rows, columns: columns, values: values, notes: notes,
            bold: bold, layout: layout, quotedRows: quoted, claims: [],
            claimsNote: try reader.optional(entries, "claims_note").map { try reader.string($0, "claims_note") })
        guard let claimsNode = reader.optional(entries, "claims") else { return shape }
        let claims = try reader.sequence(claimsNode, "claims of \(name)").map { try claim($0, of: shape, cells) }
        return shape.with(claims: claims)
    }

    private func columns(_ node: Node, _ table: String) throws -> [PaperTable.Column] {
        let columns = try reader.sequence(node, "columns of \(table)").map { item in
            let entries = try reader.entries(item, "a column of \(table)", allowed: ["key", "header", "volatile"])
            func field(_ key: String) throws -> String {
                try reader.string(
                    try reader.required(entries, key, in: item, "a column of \(table)"), "'\(key)' of a column")
            }
            let volatile =
                try reader.optional(entries, "volatile").map { try reader.bool($0, "'volatile' of a column") } ?? false
            return PaperTable.Column(key: try field("key"), header: try field("header"), isVolatile: volatile)
        }
        if columns.isEmpty { throw reader.error(node, "\(table) lists no column") }
        if Set(columns.map(\.key)).count != columns.count { throw reader.error(node, "\(table) names a column twice") }
        return columns
    }

    /// Row labels and their numbers in column order; every column must be given (null: empty).
    private func rows(_ node: Node, _ columns: [PaperTable.Column], _ table: String) throws -> ([String], [[Double?]]) {
        let rows = try reader.entries(node, "the rows of \(table)")
        if rows.isEmpty { throw reader.error(node, "\(table) lists no row") }
        let values = try rows.map { row in
            let cells = try reader.entries(row.value, "row '\(row.key)' of \(table)", allowed: columns.map(\.key))
            return try columns.map { column -> Double? in
                guard let cell = reader.optional(cells, column.key) else {
                    throw reader.error(
                        row.mark,
                        "row '\(row.key)' of \(table) has no '\(column.key)' (null for a cell the paper leaves empty)")
                }
                return try reader.number(cell, "'\(column.key)' of row '\(row.key)' in \(table)")
            }
        }
        return (rows.map(\.key), values)
    }

    private func notes(_ node: Node, _ cells: CellNames) throws -> [String: String] {
        var notes: [String: String] = [:]
        for item in try reader.sequence(node, "notes of \(cells.table)") {
            let entries = try reader.entries(item, "a note of \(cells.table)", allowed: ["row", "column", "text"])
            notes[try cells.key(item, extra: ["text"])] = try reader.string(
                try reader.required(entries, "text", in: item, "a note"), "a note's text")
        }
        return notes
    }

    private func quotedRows(_ node: Node, _ cells: CellNames) throws -> [String: String] {
        var quoted: [String: String] = [:]
        for entry in try reader.entries(node, "quoted_rows of \(cells.table)") {
            guard cells.rows.contains(entry.key) else {
                throw reader.error(entry.mark, "\(cells.table) has no row '\(entry.key)'")
            }
            quoted[entry.key] = try reader.string(entry.value, "quoted row '\(entry.key)'")
        }
        return quoted
    }

    private func layout(_ entries: [PaperFileReader.Entry], _ node: Node, _ table: String) throws -> PaperTable.Layout {
        let metric = try reader.optional(entries, "metric").map { try reader.string($0, "'metric' of \(table)") }
        switch try reader.optional(entries, "layout").map({ try reader.string($0, "'layout' of \(table)") })
            ?? "per_row"
        {
        case "per_row":
            if metric != nil {
                throw reader.error(
                    node, "\(table): 'metric' belongs to layout per_cell (per_row takes each column's key)")
            }
            return .perRow
        case "per_cell":
            guard let metric else {
                throw reader.error(node, "\(table): layout per_cell needs 'metric' (the one metric of every cell)")
            }
            return .perCell(metric: metric)
        case let other:
            throw reader.error(
                reader.optional(entries, "layout"), "\(table): unknown layout '\(other)'; known: per_row, per_cell")
        }
    }
}
