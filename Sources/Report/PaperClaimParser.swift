import Yams

/// The row and column names of one table, for checking the cells a note, a bold mark or a
/// claim names.
struct CellNames {
    let rows: [String]
    let columns: [String]
    /// "table table3", for messages.
    let table: String
    let reader: PaperFileReader

    /// "row|column" of a `{row, column}` mapping (which may hold `extra` keys besides).
    func key(_ node: Node, extra: [String] = []) throws -> String {
        let entries = try reader.entries(node, "a cell of \(table)", allowed: ["row", "column"] + extra)
        func name(_ key: String) throws -> Node { try reader.required(entries, key, in: node, "a cell of \(table)") }
        let cell = try check(
            try reader.string(try name("row"), "a row"), try reader.string(try name("column"), "a column"), node)
        return "\(cell.row)|\(cell.column)"
    }

    /// A `[row, column]` pair.
    func pair(_ node: Node) throws -> (row: String, column: String) {
        let items = try reader.sequence(node, "a cell of \(table)")
        guard items.count == 2 else { throw reader.error(node, "expected [row, column] for a cell of \(table)") }
        return try check(try reader.string(items[0], "a row"), try reader.string(items[1], "a column"), node)
    }

    private func check(_ row: String, _ column: String, _ node: Node) throws -> (row: String, column: String) {
        guard rows.contains(row) else {
            throw reader.error(node, "\(table) has no row '\(row)'; rows: \(rows.joined(separator: ", "))")
        }
        guard columns.contains(column) else {
            throw reader.error(node, "\(table) has no column '\(column)'; columns: \(columns.joined(separator: ", "))")
        }
        return (row, column)
    }
}

extension PaperFileParser {
    static let claimKeys = ["cell", "over", "subject", "base", "context", "paper_base"]

    /// One claim: the paper's difference between two of its cells, and the sentence saying it.
    func claim(_ node: Node, of table: PaperTable, _ cells: CellNames) throws -> Claim {
        let entries = try reader.entries(node, "a claim of \(cells.table)", allowed: Self.claimKeys)
        func text(_ key: String) throws -> String? {
            try reader.optional(entries, key).map { try reader.string($0, "'\(key)' of a claim") }
        }
        let cell = try cells.pair(try reader.required(entries, "cell", in: node, "a claim"))
        let over = try cells.pair(try reader.required(entries, "over", in: node, "a claim"))
        let base = try reader.optional(entries, "paper_base").map { try paperBase($0, column: over.column) }
        guard let value = table.paperValue(row: cell.row, column: cell.column),
            let baseValue = base?.value ?? table.paperValue(row: over.row, column: over.column)
        else {
            throw reader.error(
                node,
                "a claim of \(cells.table) needs both numbers; the paper leaves \(cell.row)|\(cell.column) "
                    + "or \(over.row)|\(over.column) empty")
        }
        let difference = Claim.difference(value, over: baseValue)
        let sentence = Claim.sentence(try text("subject") ?? cell.row, try text("base") ?? over.row, difference)
        return Claim(
            table: table.id, text: (try text("context") ?? "") + sentence + (base?.aside ?? ""), row: cell.row,
            column: cell.column, baseRow: over.row, baseColumn: over.column, paperDifference: difference)
    }

    /// `paper_base: {table, row}`: the paper's base number from an earlier table, where the
    /// claim's own table misprints it, and the aside that says so.
    private func paperBase(_ node: Node, column: String) throws -> (value: Double, aside: String) {
        let entries = try reader.entries(node, "paper_base", allowed: ["table", "row"])
        let id = try reader.string(try reader.required(entries, "table", in: node, "paper_base"), "paper_base's table")
        let row = try reader.string(try reader.required(entries, "row", in: node, "paper_base"), "paper_base's row")
        guard let other = tables.first(where: { $0.id == id }) else {
            throw reader.error(node, "paper_base names table '\(id)', which is not listed before this one")
        }
        guard let cell = other.position(row: row, column: column), let value = other.values[cell.row][cell.column]
        else {
            throw reader.error(node, "table \(id) has no number at \(row)|\(column)")
        }
        return (value, " (paper base \(NumberFormat.fixed(value)), Table \(other.numeral)'s \(row))")
    }
}

extension PaperTable {
    /// This table with its claims (read after the cells they name).
    func with(claims: [Claim]) -> PaperTable {
        PaperTable(
            id: id, numeral: numeral, title: title, rowHeader: rowHeader, rows: rows, columns: columns, values: values,
            notes: notes, bold: bold, layout: layout, quotedRows: quotedRows, claims: claims, claimsNote: claimsNote)
    }
}
