import Foundation
import Pipeline
import Report

/// `kind: table`: one of the paper's Tables I–V with our numbers beside the paper's
/// (Markdown and LaTeX), from the evaluate stages named in `rows`. `rows` lists one
/// evaluate stage per paper row (Table IV: one per cell, row by row); "-" marks a row
/// we do not reproduce. Wall-clock columns go to a volatile `<table>_timing.md`.
struct TableKind: StageKind {
    let name = "table"
    let version = 3

    /// Rows of the paper that are not CIFAR-100 runs, and why they stay empty.
    static let quotedRows = ["ResNet50 [1]": "an ImageNet result the paper quotes from Bag of Tricks [1]; not a CIFAR-100 run, not reproduced"]

    var parameters: [Parameter] {
        [
            Parameter("table", .string, doc: "table1 … table5"),
            Parameter("rows", .list(.string), doc: "evaluate stages, one per paper row (Table IV: per cell, row by row); \"-\" for none"),
            Parameter("profile", .string, default: .string("paper"), doc: "the profile named in the caption"),
        ]
    }

    func validate(_ p: ResolvedParameters) -> String? {
        guard let paper = PaperTables.named(p.string("table")) else {
            return "unknown table '\(p.string("table"))'; known: \(PaperTables.all.map(\.id).joined(separator: ", "))"
        }
        let expected = TableKind.cellsPerRow(paper) == 1 ? paper.rows.count : paper.rows.count * paper.columns.count
        let rows = p.strings("rows")
        return rows.count == expected ? nil : "\(paper.id) needs \(expected) entries in 'rows', got \(rows.count)"
    }

    /// Table IV has one stage per cell; the others one stage per row.
    static func cellsPerRow(_ paper: PaperTable) -> Int { paper.id == "table4" ? paper.columns.count : 1 }

    func run(_ context: StageContext) throws -> StageResult {
        let p = context.parameters
        let paper = PaperTables.named(p.string("table"))!
        let rows = p.strings("rows")
        // one record per stage, decoded once (a row's cells often share a stage)
        var records: [String: EvaluationRecord] = [:]
        func record(_ stage: String) throws -> EvaluationRecord? {
            guard stage != "-" else { return nil }
            if let known = records[stage] { return known }
            let read = try EvaluationRecord.read(stage, in: context)
            records[stage] = read
            return read
        }
        let onePerRow = TableKind.cellsPerRow(paper) == 1
        func seconds(_ stage: String) -> Double? {
            guard stage != "-", let file = context.dependencies[stage]?.files["timing"],
                  let values = try? JSONDecoder().decode([Double].self, from: Data(contentsOf: file)), !values.isEmpty else { return nil }
            return values.reduce(0, +) / Double(values.count)
        }
        var ours: [[Double?]] = [], timings: [[Double?]] = []
        var rowNotes: [String: String] = [:]
        for (r, label) in paper.rows.enumerated() {
            var line: [Double?] = [], timingLine: [Double?] = []
            for (c, column) in paper.columns.enumerated() {
                let stage = onePerRow ? rows[r] : rows[r * paper.columns.count + c]
                let result = try record(stage)
                let metric = onePerRow ? column.key : "top1"
                line.append(column.isVolatile ? nil : result.map { metric == "top5" ? $0.top5 : $0.top1 })
                timingLine.append(column.isVolatile ? seconds(stage) : nil)
                if stage == "-" { rowNotes[label] = TableKind.quotedRows[label] ?? "not reproduced" }
            }
            ours.append(line)
            timings.append(timingLine)
        }
        let result = TableResult(paper: paper, ours: ours, rowNotes: rowNotes, profile: p.string("profile"))
        let hasVolatile = paper.columns.contains { $0.isVolatile }
        let timingName = "\(paper.id)_timing.md"
        var outputs: [String: StageResult.Output] = [:]
        func write(_ text: String, _ file: String, volatile: Bool = false) throws {
            let url = context.outputDirectory.appendingPathComponent(file)
            try Data(text.utf8).write(to: url)
            outputs[file] = .init(url, volatile: volatile)
        }
        try write(MarkdownTable.render(result, volatileFile: hasVolatile ? timingName : nil), "\(paper.id).md")
        try write(LatexTable.render(result, volatileFile: hasVolatile ? timingName : nil), "\(paper.id).tex")
        try write(String(decoding: try canonicalJSON(TableNumbers(table: paper.id, ours: ours, rowNotes: rowNotes)), as: UTF8.self), "\(paper.id).json")
        if hasVolatile {
            try write(TimingTable.markdown(paper, ours: timings, profile: p.string("profile")), timingName, volatile: true)
        }
        var metrics: [String: Metric] = [:]
        for (r, label) in paper.rows.enumerated() where onePerRow {
            if let top1 = ours[r].first ?? nil { metrics[label] = .number(top1) }
        }
        return StageResult(outputs: outputs, metrics: metrics)
    }
}

/// A table's numbers of ours (the report rebuilds the table from them).
struct TableNumbers: Codable {
    var table: String
    var ours: [[Double?]]
    var rowNotes: [String: String]
}
