/// A claim the paper makes about a refinement: one top-1 cell against the cell it builds on
/// ("+ cosine decay improves on Baseline by +1.07 points"). Both cells are in the same
/// table; `paperDifference` is what the paper's numbers say (row − base, in points).
public struct Claim: Sendable, Equatable {
    /// The table's id ("table3").
    public let table: String
    public let text: String
    public let row: String
    public let column: String
    public let baseRow: String
    public let baseColumn: String
    public let paperDifference: Double

    public init(
        table: String, text: String, row: String, column: String, baseRow: String, baseColumn: String,
        paperDifference: Double
    ) {
        self.table = table
        self.text = text
        self.row = row
        self.column = column
        self.baseRow = baseRow
        self.baseColumn = baseColumn
        self.paperDifference = paperDifference
    }

    /// The paper prints two decimals: its difference has two as well.
    static func difference(_ value: Double, over base: Double) -> Double {
        ((value - base) * 100).rounded() / 100
    }

    /// "A improves on B by +1.07 points", "A falls short of B by 0.27 points", "A matches B".
    static func sentence(_ subject: String, _ base: String, _ difference: Double) -> String {
        if difference > 0 { return "\(subject) improves on \(base) by \(NumberFormat.signed(difference)) points" }
        if difference < 0 { return "\(subject) falls short of \(base) by \(NumberFormat.fixed(-difference)) points" }
        return "\(subject) matches \(base)"
    }
}
