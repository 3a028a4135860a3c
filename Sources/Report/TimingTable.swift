/// The volatile companion of a table with wall-clock columns (Table II's seconds per
/// epoch): ours beside the paper's. Never hashed, never compared by `repro verify`.
public enum TimingTable {
    public static func markdown(_ paper: PaperTable, ours: [[Double?]], profile: String) -> String {
        let columns = paper.columns.indices.filter { paper.columns[$0].isVolatile }
        var lines = [
            "**Table \(paper.numeral), wall-clock columns (repro, profile \(profile); this machine, varies run to "
                + "run)**",
            "",
        ]
        let headers =
            [paper.rowHeader]
            + columns.flatMap { ["\(paper.columns[$0].header) ours", "\(paper.columns[$0].header) paper"] }
        lines.append("| " + headers.joined(separator: " | ") + " |")
        lines.append("|" + headers.indices.map { $0 == 0 ? " --- |" : " ---: |" }.joined())
        for row in paper.rows.indices {
            let cells = columns.flatMap { column in
                [
                    ours[row][column].map { NumberFormat.fixed($0, 3) } ?? "—",
                    paper.paperValue(row: row, column: column).map { NumberFormat.fixed($0, 3) } ?? "—",
                ]
            }
            lines.append("| " + ([paper.rows[row]] + cells).joined(separator: " | ") + " |")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
