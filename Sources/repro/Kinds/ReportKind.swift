import Foundation
import Pipeline
import Report
import Support
import Tensor
import Training

/// `kind: report`: `report.html`, the verdict summary (numbers reproduced, claims
/// supported, recorded in the lock), every table of the paper with its claims and
/// interval chart, and learning curves (test top-1 and training loss per epoch of the
/// runs in `curves`, and their learning rates), in one self-contained page; and
/// `tables.tex`, which compiles every table fragment into one document.
struct ReportKind: TypedStageKind, PaperReadingKind {
    let name = "report"
    let version = 5  // 5: the numeric environment it names no longer has the ISA

    struct Parameters: StageParameters {
        var tables: [String] = []
        var curves: [String] = []
        var textRows: [String] = []
        var profile = "paper"
        var paper = Paper.defaultFile

        static let fields: [ParameterField<Parameters>] = [
            .stages("tables", \.tables, doc: "table stages, in order", required: true),
            .stages(
                "curves", \.curves, doc: "evaluate stages whose learning curves are drawn (the first seed of each)",
                required: true),
            .stages(
                "text_rows", \.textRows,
                doc: "evaluate stages for the paper's text-only results, in the order of the paper file's "
                    + "text_results (teacher, ResNet110, three Section III-A runs); \"-\" for none"),
            .field("profile", \.profile, doc: "the profile named in the title"),
            .field("paper", \.paper, doc: PaperInput.parameterDoc),
        ]
    }

    func paperFile(_ parameters: ResolvedParameters) -> String { Parameters(parameters).paper }

    func check(_ parameters: ResolvedParameters, against paper: Paper) -> String? {
        let p = Parameters(parameters), expected = paper.text.rows
        guard p.textRows.isEmpty || p.textRows.count == expected.count else {
            let names = expected.joined(separator: "; ")
            return "text_rows needs \(expected.count) entries (\(names)), got \(p.textRows.count)"
        }
        return nil
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = Parameters(context.parameters)
        let paper = try PaperInput.load(for: self, context)
        var tables = try p.tables.map { try tableResult($0, paper: paper, context: context, profile: p.profile) }
        if !p.textRows.isEmpty {
            let ours = try p.textRows.map { stage -> [Estimate?] in
                guard stage != "-" else { return [nil, nil] }
                let records = try context.members(of: stage).map { try EvaluationRecord.read($0, in: context) }
                return [Estimate(values: records.map(\.top1)), Estimate(values: records.map(\.top5))]
            }
            tables.append(TableResult(paper: paper.text, ours: ours, profile: p.profile))
        }
        let runs = try p.curves.map { try EvaluationRecord.read(context.members(of: $0)[0], in: context) }
        func chart(
            _ title: String, _ y: String, _ selected: [EvaluationRecord], _ value: (EpochRecord) -> Double
        ) -> LineChart {
            LineChart(
                title: title, xLabel: "epoch", yLabel: y,
                series: selected.map { run in
                    LineChart.Series(name: run.stage, points: run.history.map { (Double($0.epoch), value($0)) })
                })
        }
        // A distilled run's loss carries the T²-scaled soft term: it gets a chart of its own.
        let plain = runs.filter { $0.distilledFrom == nil }, distilled = runs.filter { $0.distilledFrom != nil }
        var charts: [LineChart] = []
        if !runs.isEmpty { charts.append(chart("Test top-1 per epoch", "top-1 (%)", runs, \.testTop1)) }
        if !plain.isEmpty { charts.append(chart("Training loss per epoch", "loss", plain, \.trainLoss)) }
        if !distilled.isEmpty {
            charts.append(
                chart("Training loss per epoch, distilled runs (soft term × T²)", "loss", distilled, \.trainLoss))
        }
        if !runs.isEmpty {
            charts.append(chart("Learning rate (last update of each epoch)", "learning rate", runs, \.learningRate))
        }
        let notes = [
            "Numeric environment: \(NumericEnvironment.current.description).",
            "Ours: final-epoch accuracy on the test split, the mean over seeds where a run has several; Δ = ours − "
                + "paper in points. † marks cells the paper left empty.",
            "Rerun one stage with `repro stage NAME --profile \(p.profile)`; check every hash with `repro verify "
                + "--profile \(p.profile)`.",
        ]
        let html = HTMLReport(profile: p.profile, tables: tables, charts: charts, notes: notes).render()
        let fragments = tables.map(\.paper.id).filter { paper.table($0) != nil }
        let title = "Tables of the reproduction (profile \(p.profile))"
        let latex = LatexTable.document(inputs: fragments, title: title)
        var outputs: [String: StageResult.Output] = [:]
        for (role, text) in [(ReportOutput.html, html), (.latex, latex)] {
            let url = context.outputDirectory.appendingPathComponent(role.rawValue)
            try Data(text.utf8).write(to: url)
            outputs[role.rawValue] = .init(url)
        }
        let summary = VerdictSummary(tables: tables)
        return StageResult(
            outputs: outputs,
            metrics: Dictionary(uniqueKeysWithValues: summary.counts.map { ($0.key, .number(Double($0.value))) }))
    }
}

extension ReportKind {
    /// A table stage's numbers (`TableOutput.numbers`), with the paper table they fill.
    private func tableResult(
        _ stage: String, paper: Paper, context: StageContext,
        profile: String
    ) throws -> TableResult {
        let files = context.dependencies[stage]?.files ?? [:]
        guard let table = paper.tables.first(where: { files[TableOutput.Names(table: $0.id)[.numbers]] != nil }),
            let file = files[TableOutput.Names(table: table.id)[.numbers]]
        else {
            throw PipelineError.badInput("stage \(context.stage): '\(stage)' is not a table stage among its deps")
        }
        let numbers = try JSONValue.decode(TableNumbers.self, from: Data(contentsOf: file))
        return TableResult(paper: table, ours: numbers.ours, rowNotes: numbers.rowNotes, profile: profile)
    }
}

extension ReportKind: ExportedOutputs {
    func exportedOutputs(_ parameters: ResolvedParameters) -> [String] { ReportOutput.allCases.map(\.rawValue) }
}

extension ReportKind {
    /// Cluster request (`StageKind.resources`): reads the tables and curves, writes HTML and LaTeX.
    func resources(_ parameters: ResolvedParameters, lookup: (String) -> ResolvedParameters?) -> ResourceRequest {
        ResourceRequest(cpus: 1, memory: "2G", time: "00:30:00")
    }
}
