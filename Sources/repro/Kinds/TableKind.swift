import Foundation
import Pipeline
import Report
import Support

/// `kind: table`: one of the paper's Tables I–V with our numbers beside the paper's
/// (Markdown and a LaTeX fragment), from the evaluate stages named in `rows`. `rows`
/// lists one evaluate stage per paper row, or per cell, row by row, for a table of layout
/// per_cell (Table IV); "-" marks a row we do not reproduce. A stage run once per seed gives
/// an estimate (mean ± std, n) and every number and claim of the paper a verdict, recorded in
/// the lock. Wall-clock columns go to a volatile `<table>_timing.md`. The paper's numbers,
/// layout and claims come from the paper file (`paper`), a hashed input.
struct TableKind: TypedStageKind, PaperReadingKind {
    let name = "table"
    let version = 4

    /// The metrics an evaluate stage reports, by the column key that names them.
    static let metrics: [String: @Sendable (EvaluationRecord) -> Double] = ["top1": { $0.top1 }, "top5": { $0.top5 }]

    struct Parameters: StageParameters {
        var table = ""
        var rows: [String] = []
        var profile = "paper"
        var paper = Paper.defaultFile

        static let fields: [ParameterField<Parameters>] = [
            .field("table", \.table, doc: "table1 … table5: a table id of the paper file", required: true),
            .stages(
                "rows", \.rows,
                doc: "evaluate stages, one per paper row (layout per_cell, Table IV: per cell, "
                    + "row by row; a glob names several); \"-\" for none; a stage run once per seed gives an "
                    + "estimate over its seeds", required: true),
            .field("profile", \.profile, doc: "the profile named in the caption"),
            .field("paper", \.paper, doc: PaperInput.parameterDoc),
        ]
    }

    func paperFile(_ parameters: ResolvedParameters) -> String { Parameters(parameters).paper }

    func check(_ parameters: ResolvedParameters, against paper: Paper) -> String? {
        let p = Parameters(parameters)
        guard let table = paper.table(p.table) else {
            return "unknown table '\(p.table)'; known: \(paper.tables.map(\.id).joined(separator: ", "))"
        }
        let unknown = table.columns.indices.filter { !table.columns[$0].isVolatile }.map { table.metric(column: $0) }
            .filter { TableKind.metrics[$0] == nil }
        if let metric = unknown.first {
            let known = TableKind.metrics.keys.sorted().joined(separator: ", ")
            return "\(table.id) fills cells with '\(metric)', which evaluate stages do not report (\(known))"
        }
        let expected = table.rows.count * table.stagesPerRow
        guard p.rows.count != expected else { return nil }
        return "\(table.id) needs \(expected) entries in 'rows', got \(p.rows.count)"
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let paper = try PaperInput.load(for: self, context)
        let table = paper.table(p.table)!
        let cells = try TableCells(table: table, rows: p.rows, context: context)
        let result = TableResult(paper: table, ours: cells.ours, rowNotes: cells.rowNotes, profile: p.profile)
        let names = TableOutput.Names(table: table.id)
        let hasVolatile = table.columns.contains { $0.isVolatile }
        let timingFile = hasVolatile ? names[.timing] : nil
        var outputs: [String: StageResult.Output] = [:]
        func write(_ text: String, _ role: TableOutput) throws {
            let url = context.outputDirectory.appendingPathComponent(names[role])
            try Data(text.utf8).write(to: url)
            outputs[names[role]] = .init(url, volatile: role.isVolatile)
        }
        try write(MarkdownTable.render(result, volatileFile: timingFile), .markdown)
        try write(LatexTable.render(result, volatileFile: timingFile), .latex)
        let numbers = TableNumbers(table: table.id, ours: cells.ours, rowNotes: cells.rowNotes)
        try write(try JSONValue(encoding: numbers).text(.foundationPretty), .numbers)
        if hasVolatile { try write(TimingTable.markdown(table, ours: cells.timings, profile: p.profile), .timing) }
        // The lock records every verdict, so `git diff` of a lock shows a number that stopped reproducing.
        var metrics: [String: Metric] = [:]
        for check in result.numberVerdicts { metrics["\(check.row) | \(check.column)"] = .text(check.verdict.rawValue) }
        for claim in result.claimResults { metrics["claim: \(claim.claim.text)"] = .text(claim.verdict.rawValue) }
        return StageResult(outputs: outputs, metrics: metrics)
    }
}

/// A table's numbers of ours (the report rebuilds the table from them).
struct TableNumbers: Codable {
    var table: String
    var ours: [[Estimate?]]
    var rowNotes: [String: String]
}

extension TableKind {
    /// Cluster request (`StageKind.resources`): reads a few JSON records.
    func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest {
        ResourceRequest(cpus: 1, memory: "1G", time: "00:30:00")
    }
}

extension TableKind: ExportedOutputs {
    func exportedOutputs(_ parameters: ResolvedParameters) -> [String] {
        let names = TableOutput.Names(table: Parameters(parameters).table)
        return TableOutput.allCases.filter(\.isForReaders).map { names[$0] }
    }
}
