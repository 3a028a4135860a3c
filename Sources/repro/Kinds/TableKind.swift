import Foundation
import Pipeline
import Report
import Support

/// `kind: table`: one of the paper's Tables I–V with our numbers beside the paper's
/// (Markdown and a LaTeX fragment), from the evaluate stages named in `rows`. `rows`
/// lists one evaluate stage per paper row (Table IV: one per cell, row by row); "-" marks
/// a row we do not reproduce. A stage run once per seed gives an estimate (mean ± std,
/// n) and every number and claim of the paper a verdict, recorded in the lock.
/// Wall-clock columns go to a volatile `<table>_timing.md`.
struct TableKind: TypedStageKind {
    let name = "table"
    let version = 4

    /// Rows of the paper that are not CIFAR-100 runs, and why they stay empty.
    static let quotedRows = ["ResNet50 [1]": "an ImageNet result the paper quotes from Bag of Tricks [1]; not a CIFAR-100 run, not reproduced"]

    struct Parameters: StageParameters {
        var table = ""
        var rows: [String] = []
        var profile = "paper"

        static let fields: [ParameterField<Parameters>] = [
            .field("table", \.table, doc: "table1 … table5", required: true, check: { id in
                PaperTables.named(id) == nil ? "unknown table '\(id)'; known: \(PaperTables.all.map(\.id).joined(separator: ", "))" : nil
            }),
            .stages("rows", \.rows, doc: "evaluate stages, one per paper row (Table IV: per cell, row by row; a glob names several); \"-\" for none; a stage run once per seed gives an estimate over its seeds", required: true),
            .field("profile", \.profile, doc: "the profile named in the caption"),
        ]
    }

    func check(_ p: Parameters) -> String? {
        let paper = PaperTables.named(p.table)!
        let expected = TableKind.cellsPerRow(paper) == 1 ? paper.rows.count : paper.rows.count * paper.columns.count
        return p.rows.count == expected ? nil : "\(paper.id) needs \(expected) entries in 'rows', got \(p.rows.count)"
    }

    /// Table IV has one stage per cell; the others one stage per row.
    static func cellsPerRow(_ paper: PaperTable) -> Int { paper.id == "table4" ? paper.columns.count : 1 }

    func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let paper = PaperTables.named(p.table)!
        let rows = p.rows
        // A row's stage stands for its seeds: each member's record, decoded once (a row's
        // cells often share a stage).
        var records: [String: [EvaluationRecord]] = [:]
        func replicas(_ stage: String) throws -> [EvaluationRecord] {
            guard stage != "-" else { return [] }
            if let known = records[stage] { return known }
            let read = try context.members(of: stage).map { try EvaluationRecord.read($0, in: context) }
            records[stage] = read
            return read
        }
        let onePerRow = TableKind.cellsPerRow(paper) == 1
        func seconds(_ stage: String) -> Double? {
            let times = context.members(of: stage).compactMap { member -> [Double]? in
                guard stage != "-", let file = context.dependencies[member]?.files["timing"] else { return nil }
                return try? JSONValue.decode([Double].self, from: Data(contentsOf: file))
            }.flatMap { $0 }
            return times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
        }
        var ours: [[Estimate?]] = [], timings: [[Double?]] = []
        var rowNotes: [String: String] = [:]
        for (r, label) in paper.rows.enumerated() {
            var line: [Estimate?] = [], timingLine: [Double?] = []
            for (c, column) in paper.columns.enumerated() {
                let stage = onePerRow ? rows[r] : rows[r * paper.columns.count + c]
                let results = try replicas(stage)
                let metric = onePerRow ? column.key : "top1"
                line.append(column.isVolatile || results.isEmpty ? nil : Estimate(values: results.map { metric == "top5" ? $0.top5 : $0.top1 }))
                timingLine.append(column.isVolatile ? seconds(stage) : nil)
                if stage == "-" { rowNotes[label] = TableKind.quotedRows[label] ?? "not reproduced" }
            }
            ours.append(line)
            timings.append(timingLine)
        }
        let result = TableResult(paper: paper, ours: ours, rowNotes: rowNotes, profile: p.profile)
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
        let numbers = TableNumbers(table: paper.id, ours: ours, rowNotes: rowNotes)
        try write(try JSONValue(encoding: numbers).text(.foundationPretty), "\(paper.id).json")
        if hasVolatile {
            try write(TimingTable.markdown(paper, ours: timings, profile: p.profile), timingName, volatile: true)
        }
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
