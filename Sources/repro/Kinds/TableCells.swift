import Foundation
import Pipeline
import Report
import Support

/// Our numbers for one paper table, read from the evaluate stages a table stage names:
/// an estimate over each stage's seeds per measured cell, mean seconds per epoch for a
/// wall-clock cell, and why a row has none ("-").
struct TableCells {
    var ours: [[Estimate?]] = []
    var timings: [[Double?]] = []
    var rowNotes: [String: String] = [:]

    init(table: PaperTable, rows stages: [String], context: StageContext) throws {
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
        for (r, label) in table.rows.enumerated() {
            var line: [Estimate?] = []
            var timingLine: [Double?] = []
            for (c, column) in table.columns.enumerated() {
                let stage = stages[r * table.stagesPerRow + (table.stagesPerRow == 1 ? 0 : c)]
                let results = try replicas(stage)
                let value = TableKind.metrics[table.metric(column: c)]
                line.append(
                    column.isVolatile || results.isEmpty ? nil : value.map { Estimate(values: results.map($0)) })
                timingLine.append(column.isVolatile ? TableCells.seconds(stage, context) : nil)
                if stage == "-" { rowNotes[label] = table.quotedRows[label] ?? "not reproduced" }
            }
            ours.append(line)
            timings.append(timingLine)
        }
    }

    /// The mean of the seconds per epoch that a stage's members recorded (volatile `timing`).
    private static func seconds(_ stage: String, _ context: StageContext) -> Double? {
        let times = context.members(of: stage).compactMap { member -> [Double]? in
            guard stage != "-", let file = context.dependencies[member]?.files["timing"] else { return nil }
            return try? JSONValue.decode([Double].self, from: Data(contentsOf: file))
        }.flatMap { $0 }
        return times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
    }
}
