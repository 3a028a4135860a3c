/// A self-contained SVG of one table's cells: our estimate with its interval (an error bar,
/// coloured by verdict) beside the paper's number (an open diamond), one line per cell, one
/// panel per paper column with its own scale. No scripts, no external fonts; byte-stable.
public struct IntervalChart: Sendable {
    public struct Entry: Sendable {
        public let label: String
        public let ours: Estimate?
        public let paper: Double?

        public init(label: String, ours: Estimate?, paper: Double?) {
            self.label = label
            self.ours = ours
            self.paper = paper
        }

        /// Nil where the paper has no number (a cell we filled).
        var verdict: NumberVerdict? { paper.map { NumberVerdict(estimate: ours, paper: $0) } }
    }

    public struct Panel: Sendable {
        public let title: String
        public let entries: [Entry]

        public init(title: String, entries: [Entry]) {
            self.title = title
            self.entries = entries
        }
    }

    public let title: String
    public let panels: [Panel]

    public init(title: String, panels: [Panel]) {
        self.title = title
        self.panels = panels
    }

    /// A panel per non-volatile column, an entry per cell with a paper value or an estimate.
    public init(_ result: TableResult) {
        let paper = result.paper
        let panels = paper.columns.indices.filter { !paper.columns[$0].isVolatile }.map { column in
            Panel(
                title: paper.columns[column].header,
                entries: paper.rows.indices.compactMap { row in
                    let entry = Entry(
                        label: paper.rows[row], ours: result.ours[row][column],
                        paper: paper.paperValue(row: row, column: column))
                    return entry.ours == nil && entry.paper == nil ? nil : entry
                })
        }
        self.init(
            title: paper.numeral.isEmpty ? paper.title : "Table \(paper.numeral): ours against the paper",
            panels: panels.filter { !$0.entries.isEmpty })
    }

    static let colours: [NumberVerdict: String] = [.reproduced: "#2ca02c", .higher: "#1f77b4", .lower: "#d62728"]
    static let unjudged = "#7f7f7f"

    // Labels to the left of the plot; rows and panel headers at fixed heights.
    let width = 760.0, labelRight = 250.0, left = 262.0, right = 740.0
    let rowHeight = 18.0, panelHeader = 22.0, axisHeight = 26.0, legendHeight = 44.0

    public func svg() -> String {
        let height =
            legendHeight + panels.reduce(0) { $0 + panelHeader + Double($1.entries.count) * rowHeight + axisHeight }
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 "
                + "0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
        ]
        out.append("<title>\(escape(title))</title>")
        out.append("<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>")
        out += legend(y: 34)
        var top = legendHeight
        for panel in panels {
            out += draw(panel, top: top)
            top += panelHeader + Double(panel.entries.count) * rowHeight + axisHeight
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// Under the title, from the left edge: the paper's marker, then our bar in each colour.
    private func legend(y: Double) -> [String] {
        var out = [diamond(x: 16, y: y), "<text x=\"26.0\" y=\"\(f(y))\" dominant-baseline=\"middle\">paper</text>"]
        let keys: [(NumberVerdict?, String)] = [
            (.reproduced, "ours: reproduced"), (.higher, "ours: higher"), (.lower, "ours: lower"),
            (nil, "ours: no paper number"),
        ]
        for (index, (verdict, text)) in keys.enumerated() {
            let x = 80 + Double(index) * 130
            out.append(bar(from: x, to: x + 16, at: x + 8, y: y, colour: colour(verdict)))
            out.append("<text x=\"\(f(x + 22))\" y=\"\(f(y))\" dominant-baseline=\"middle\">\(text)</text>")
        }
        return out
    }

    private func draw(_ panel: Panel, top: Double) -> [String] {
        let values = panel.entries.flatMap { entry in
            [entry.paper, entry.ours.map(\.interval.lower), entry.ours.map(\.interval.upper)].compactMap { $0 }
        }
        let ticks = LineChart.ticks(values.min() ?? 0, values.max() ?? 1)
        let (x0, x1) = (ticks.first!, ticks.last!)
        func px(_ x: Double) -> Double { left + (x - x0) / max(x1 - x0, 1e-12) * (right - left) }
        let bottom = top + panelHeader + Double(panel.entries.count) * rowHeight
        var out = ["<text x=\"10\" y=\"\(f(top + 14))\" font-weight=\"bold\">\(escape(panel.title))</text>"]
        out.append(
            "<rect x=\"\(f(left))\" y=\"\(f(top + panelHeader - 4))\" width=\"\(f(right - left))\" "
                + "height=\"\(f(bottom - top - panelHeader + 4))\" fill=\"none\" stroke=\"#999\"/>"
        )
        for tick in ticks {
            out.append(
                "<line x1=\"\(f(px(tick)))\" y1=\"\(f(top + panelHeader - 4))\" x2=\"\(f(px(tick)))\" "
                    + "y2=\"\(f(bottom))\" stroke=\"#eee\"/>"
            )
            out.append(
                "<text x=\"\(f(px(tick)))\" y=\"\(f(bottom + 14))\" "
                    + "text-anchor=\"middle\">\(LineChart.label(tick))</text>"
            )
        }
        for (index, entry) in panel.entries.enumerated() {
            let y = top + panelHeader + (Double(index) + 0.5) * rowHeight
            out.append("<g><title>\(escape(tooltip(entry)))</title>")
            out.append(
                "<text x=\"\(f(labelRight))\" y=\"\(f(y))\" text-anchor=\"end\" "
                    + "dominant-baseline=\"middle\">\(escape(entry.label))</text>"
            )
            if let ours = entry.ours {
                let colour = colour(entry.verdict)
                out.append(
                    bar(
                        from: px(ours.interval.lower), to: px(ours.interval.upper), at: px(ours.mean), y: y,
                        colour: colour))
            }
            if let paper = entry.paper { out.append(diamond(x: px(paper), y: y)) }
            out.append("</g>")
        }
        return out
    }

    /// An error bar with end caps and a dot at the mean.
    private func bar(from lower: Double, to upper: Double, at mean: Double, y: Double, colour: String) -> String {
        let stroke = "stroke=\"\(colour)\" stroke-width=\"2\""
        return
            "<path d=\"M\(f(lower)) \(f(y))H\(f(upper))M\(f(lower)) \(f(y - 4))V\(f(y + 4))M\(f(upper)) "
            + "\(f(y - 4))V\(f(y + 4))\" fill=\"none\" \(stroke)/>"
            + "<circle cx=\"\(f(mean))\" cy=\"\(f(y))\" r=\"3.5\" fill=\"\(colour)\"/>"
    }

    private func diamond(x: Double, y: Double) -> String {
        "<path d=\"M\(f(x)) \(f(y - 5.5))L\(f(x + 5.5)) \(f(y))L\(f(x)) \(f(y + 5.5))L\(f(x - 5.5)) \(f(y))Z\" "
            + "fill=\"none\" stroke=\"#000\" stroke-width=\"1.5\"/>"
    }

    private func tooltip(_ entry: Entry) -> String {
        let ours =
            entry.ours.map { "ours \(NumberFormat.estimate($0)), interval ± \(NumberFormat.fixed($0.halfWidth))" }
            ?? "ours: not measured"
        let paper = entry.paper.map { "paper \(NumberFormat.fixed($0))" } ?? "paper: no number"
        let verdict = entry.verdict.map { ": \($0.rawValue)" } ?? ""
        return "\(entry.label): \(ours); \(paper)\(verdict)"
    }

    private func colour(_ verdict: NumberVerdict?) -> String {
        verdict.flatMap { IntervalChart.colours[$0] } ?? IntervalChart.unjudged
    }

    private func f(_ value: Double) -> String { NumberFormat.fixed(value, 1) }

    private func escape(_ text: String) -> String { HTMLReport.escape(text) }
}
