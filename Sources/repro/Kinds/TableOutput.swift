import Pipeline

/// The files a table stage writes, each known by its role. Their names are the lock's
/// output names and, for the readers' ones, the file names under tables/<profile>/.
enum TableOutput: CaseIterable {
    case markdown, latex
    /// Our numbers as JSON, for the report stage: not for readers.
    case numbers
    /// Wall-clock columns (volatile: they vary run to run).
    case timing

    /// The roles `TablesExport` copies beside pipeline.yaml.
    var isForReaders: Bool { self != .numbers }
    var isVolatile: Bool { self == .timing }

    /// The output names of one table (`table2.md`, `table2.tex`, `table2.json`, `table2_timing.md`).
    struct Names {
        let table: String

        subscript(role: TableOutput) -> String {
            switch role {
            case .markdown: "\(table).md"
            case .latex: "\(table).tex"
            case .numbers: "\(table).json"
            case .timing: "\(table)_timing.md"
            }
        }
    }
}

/// The files a report stage writes, by role; all of them are for readers.
enum ReportOutput: String, CaseIterable {
    case html = "report.html"
    /// A document that \input{}s every table fragment beside it in tables/<profile>/.
    case latex = "tables.tex"
}

/// A kind whose outputs `TablesExport` puts where readers look: the names of those outputs
/// for a stage's parameters.
protocol ExportedOutputs {
    func exportedOutputs(_ parameters: ResolvedParameters) -> [String]
}
