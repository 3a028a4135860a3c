import Foundation

/// A self-contained SVG line chart (no scripts, no external fonts), byte-stable for the
/// same data: every coordinate is printed with a fixed number of decimals.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public let name: String
        public let points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }
    }

    public let title: String
    public let xLabel: String
    public let yLabel: String
    public let series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39",
    ]

    // Plot area inside a fixed canvas; the legend sits to the right.
    let width = 760.0, height = 360.0
    let left = 60.0, right = 520.0, top = 36.0, bottom = 310.0

    public func svg() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xTicks = LineChart.ticks(xs.min() ?? 0, xs.max() ?? 1)
        let yTicks = LineChart.ticks(ys.min() ?? 0, ys.max() ?? 1)
        let (x0, x1) = (xTicks.first!, xTicks.last!), (y0, y1) = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> String { f(left + (x - x0) / max(x1 - x0, 1e-12) * (right - left)) }
        func py(_ y: Double) -> String { f(bottom - (y - y0) / max(y1 - y0, 1e-12) * (bottom - top)) }

        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 "
                + "0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">"
        ]
        out.append("<title>\(escape(title))</title>")
        out.append("<text x=\"\(f(left))\" y=\"20\" font-size=\"13\" font-weight=\"bold\">\(escape(title))</text>")
        out.append(
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\" "
                + "fill=\"none\" stroke=\"#999\"/>"
        )
        for tick in xTicks {
            out.append(
                "<line x1=\"\(px(tick))\" y1=\"\(f(bottom))\" x2=\"\(px(tick))\" y2=\"\(f(bottom + 4))\" "
                    + "stroke=\"#999\"/>"
            )
            out.append(
                "<text x=\"\(px(tick))\" y=\"\(f(bottom + 16))\" text-anchor=\"middle\">\(LineChart.label(tick))</text>"
            )
        }
        for tick in yTicks {
            out.append(
                "<line x1=\"\(f(left))\" y1=\"\(py(tick))\" x2=\"\(f(right))\" y2=\"\(py(tick))\" stroke=\"#eee\"/>")
            out.append(
                "<text x=\"\(f(left - 6))\" y=\"\(py(tick))\" text-anchor=\"end\" "
                    + "dominant-baseline=\"middle\">\(LineChart.label(tick))</text>"
            )
        }
        out.append(
            "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 14))\" "
                + "text-anchor=\"middle\">\(escape(xLabel))</text>"
        )
        out.append(
            "<text transform=\"translate(16 \(f((top + bottom) / 2))) rotate(-90)\" "
                + "text-anchor=\"middle\">\(escape(yLabel))</text>"
        )
        for (index, line) in series.enumerated() {
            let colour = LineChart.palette[index % LineChart.palette.count]
            let points = line.points.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            out.append(
                "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" "
                    + "points=\"\(points)\"><title>\(escape(line.name))</title></polyline>"
            )
            let legendY = top + 6 + Double(index) * 16
            out.append(
                "<line x1=\"\(f(right + 14))\" y1=\"\(f(legendY))\" x2=\"\(f(right + 32))\" y2=\"\(f(legendY))\" "
                    + "stroke=\"\(colour)\" stroke-width=\"2\"/>"
            )
            out.append(
                "<text x=\"\(f(right + 38))\" y=\"\(f(legendY))\" "
                    + "dominant-baseline=\"middle\">\(escape(line.name))</text>"
            )
        }
        out.append("</svg>")
        return out.joined(separator: "\n")
    }

    /// About five round tick values covering [low, high].
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        var low = low, high = high
        if !(low.isFinite && high.isFinite) { (low, high) = (0, 1) }
        if high - low < 1e-12 { (low, high) = (low - 0.5, high + 0.5) }
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let first = Int(floor(low / step)), last = Int(ceil(high / step))
        // Integer multiples of the step, rounded so 3 × 0.2 prints as 0.6.
        return (first...last).map { (Double($0) * step * 1e9).rounded() / 1e9 }
    }

    static func label(_ value: Double) -> String {
        if abs(value - value.rounded()) < 1e-9 { return String(Int(value.rounded())) }
        let text = NumberFormat.fixed(value, 4)
        var trimmed = Substring(text)
        while trimmed.hasSuffix("0") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }

    private func f(_ value: Double) -> String { NumberFormat.fixed(value, 1) }

    private func escape(_ text: String) -> String { HTMLReport.escape(text) }
}
