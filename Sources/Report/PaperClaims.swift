/// The paper's claims about its refinements, as data: each row against the row it builds
/// on, top-1 only, and only where the paper prints both numbers. Derived from the numbers in
/// `PaperTables`, so the two cannot disagree.
public enum PaperClaims {
    /// The claims about table `id` ("table3"), in the order they are listed.
    public static func claims(for id: String) -> [Claim] {
        switch id {
        case "table2": table2
        case "table3": table3
        case "table4": table4
        case "table5": table5
        default: []
        }
    }

    /// What a reader should know about a table's claims (why there are none, where the
    /// paper's base comes from), shown under its claims list.
    public static func note(for id: String) -> String? {
        switch id {
        case "table1": "No claims: ResNet50 [1] is an ImageNet number quoted from another paper."
        case "table2": "The paper's NAG (Baseline) row prints Table I's ImageNet ResNet50 numbers (likely a copy error), so the paper's differences here are taken from its ResNet56 baseline, 74.92 (Tables I and III); ours from our NAG row."
        default: nil
        }
    }

    /// Each optimizer against NAG; the paper's base is its ResNet56 baseline (see `note`).
    static let table2: [Claim] = {
        let baseline = PaperTables.table1.paperValue(row: "ResNet56", column: "top1")!
        let base = PaperTables.table2.rows[0]
        return PaperTables.table2.rows.dropFirst().compactMap { row in
            claim(PaperTables.table2, row, over: base, paperBase: baseline, aside: " (paper base 74.92, Table I's ResNet56)")
        }
    }()

    /// Cumulative: each refinement against the row above it.
    static let table3: [Claim] = {
        let rows = PaperTables.table3.rows
        return zip(rows.dropFirst(), rows).compactMap { claim(PaperTables.table3, $0, over: $1) }
    }()

    /// 20 against 5 warm-up epochs for each schedule and decay setting; cosine and poly
    /// against step decay in the same column.
    static let table4: [Claim] = {
        let table = PaperTables.table4
        let periods = [("p306090", "[30,60,90]"), ("p4080", "[40,80]")]
        let warmUp = table.rows.flatMap { row in
            periods.compactMap { key, period in
                claim(table, row, "\(key)_w20", over: row, "\(key)_w5", subject: "20 warm-up epochs", base: "5",
                      context: "\(row), decay at \(period): ")
            }
        }
        let schedules = ["cosine decay", "poly decay"].flatMap { row in
            table.columns.compactMap { column in
                claim(table, row, column.key, over: "step decay", column.key, context: "decay at \(column.header) warm-up epochs: ")
            }
        }
        return warmUp + schedules
    }()

    /// Spatial against interpolation mixup, without and with distillation; each distilled
    /// row against its undistilled one.
    static let table5: [Claim] = {
        let (interp, horiz, vert) = ("Interp. Mixup", "Horiz. Spatial Mixup", "Vert. Spatial Mixup")
        let distilled = { (row: String) in row + " w/ Distill." }
        let pairs = [(horiz, interp), (vert, interp), (distilled(horiz), distilled(interp)), (distilled(vert), distilled(interp)),
                     (distilled(interp), interp), (distilled(horiz), horiz), (distilled(vert), vert)]
        return pairs.compactMap { claim(PaperTables.table5, $0, over: $1) }
    }()

    /// The claim that `row` differs from `baseRow` as the paper's numbers say; nil where the
    /// paper lacks either number. `paperBase` replaces the paper's base number when that is
    /// known to be misprinted.
    static func claim(_ table: PaperTable, _ row: String, _ column: String = "top1", over baseRow: String, _ baseColumn: String = "top1",
                      subject: String? = nil, base: String? = nil, context: String = "", paperBase: Double? = nil,
                      aside: String = "") -> Claim? {
        guard let value = table.paperValue(row: row, column: column),
              let baseValue = paperBase ?? table.paperValue(row: baseRow, column: baseColumn) else { return nil }
        // The paper prints two decimals: its difference has two as well.
        let difference = ((value - baseValue) * 100).rounded() / 100
        let text = context + sentence(subject ?? row, base ?? baseRow, difference) + aside
        return Claim(table: table.id, text: text, row: row, column: column, baseRow: baseRow, baseColumn: baseColumn,
                     paperDifference: difference)
    }

    /// "A improves on B by +1.07 points", "A falls short of B by 0.27 points", "A matches B".
    static func sentence(_ subject: String, _ base: String, _ difference: Double) -> String {
        if difference > 0 { return "\(subject) improves on \(base) by \(NumberFormat.signed(difference)) points" }
        if difference < 0 { return "\(subject) falls short of \(base) by \(NumberFormat.fixed(-difference)) points" }
        return "\(subject) matches \(base)"
    }
}
