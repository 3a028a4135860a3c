import Foundation
import Pipeline
import Report
import Tensor
import Training

/// `kind: report`: `report.html`, every table of the paper plus learning curves (test
/// top-1 and training loss per epoch of the runs in `curves`, and their learning rates),
/// in one self-contained page.
struct ReportKind: StageKind {
    let name = "report"
    let version = 3

    var parameters: [Parameter] {
        [
            Parameter("tables", .list(.string), doc: "table stages, in order (dependencies)"),
            Parameter("curves", .list(.string), doc: "evaluate stages whose learning curves are drawn (dependencies)"),
            Parameter("text_rows", .list(.string), default: .list([]),
                      doc: "evaluate stages for the paper's text-only results, in the order of PaperTables.textResults (teacher, ResNet110, three Section III-A runs); \"-\" for none"),
            Parameter("profile", .string, default: .string("paper"), doc: "the profile named in the title"),
        ]
    }

    func validate(_ p: ResolvedParameters) -> String? {
        let rows = p.strings("text_rows")
        guard rows.isEmpty || rows.count == PaperTables.textResults.count else {
            return "text_rows needs \(PaperTables.textResults.count) entries (\(PaperTables.textResults.map(\.id).joined(separator: ", "))), got \(rows.count)"
        }
        return nil
    }

    func run(_ context: StageContext) throws -> StageResult {
        let p = context.parameters
        var tables: [TableResult] = []
        for stage in p.strings("tables") {
            let dependency = context.dependencies[stage]
            guard let file = dependency?.files.first(where: { $0.key.hasSuffix(".json") })?.value else {
                throw PipelineError.badInput("stage \(context.stage): '\(stage)' is not a table stage among its deps")
            }
            let numbers = try JSONDecoder().decode(TableNumbers.self, from: Data(contentsOf: file))
            guard let paper = PaperTables.named(numbers.table) else { continue }
            tables.append(TableResult(paper: paper, ours: numbers.ours, rowNotes: numbers.rowNotes, profile: p.string("profile")))
        }
        let textRows = p.strings("text_rows")
        if !textRows.isEmpty {
            let ours = try textRows.map { stage -> [Double?] in
                guard stage != "-" else { return [nil, nil] }
                let record = try EvaluationRecord.read(stage, in: context)
                return [record.top1, record.top5]
            }
            tables.append(TableResult(paper: PaperTables.text, ours: ours, profile: p.string("profile")))
        }
        let runs = try p.strings("curves").map { try EvaluationRecord.read($0, in: context) }
        func chart(_ title: String, _ y: String, _ selected: [EvaluationRecord], _ value: (EpochRecord) -> Double) -> LineChart {
            LineChart(title: title, xLabel: "epoch", yLabel: y, series: selected.map { run in
                LineChart.Series(name: run.stage, points: run.history.map { (Double($0.epoch), value($0)) })
            })
        }
        // A distilled run's loss carries the T²-scaled soft term: it gets a chart of its own.
        let plain = runs.filter { $0.distilledFrom == nil }, distilled = runs.filter { $0.distilledFrom != nil }
        var charts: [LineChart] = []
        if !runs.isEmpty { charts.append(chart("Test top-1 per epoch", "top-1 (%)", runs, \.testTop1)) }
        if !plain.isEmpty { charts.append(chart("Training loss per epoch", "loss", plain, \.trainLoss)) }
        if !distilled.isEmpty {
            charts.append(chart("Training loss per epoch, distilled runs (soft term × T²)", "loss", distilled, \.trainLoss))
        }
        if !runs.isEmpty { charts.append(chart("Learning rate (last update of each epoch)", "learning rate", runs, \.learningRate)) }
        let notes = [
            "Numeric environment: \(NumericEnvironment.current.description).",
            "Ours: final-epoch accuracy on the test split; Δ = ours − paper in points. † marks cells the paper left empty.",
            "Rerun one stage with `repro stage NAME --profile \(p.string("profile"))`; check every hash with `repro verify --profile \(p.string("profile"))`.",
        ]
        let html = HTMLReport(profile: p.string("profile"), tables: tables, charts: charts, notes: notes).render()
        let url = context.outputDirectory.appendingPathComponent("report.html")
        try Data(html.utf8).write(to: url)
        return StageResult(outputs: ["report.html": .init(url)])
    }
}
