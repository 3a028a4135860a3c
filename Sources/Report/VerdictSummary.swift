/// The counts at the top of the report: how many of the paper's numbers we reproduce and
/// how many of its claims our runs support, over a set of tables.
public struct VerdictSummary: Sendable, Equatable {
    public let numbers: [NumberVerdict: Int]
    public let claims: [ClaimVerdict: Int]

    public init(tables: [TableResult]) {
        numbers = Dictionary(tables.flatMap(\.numberVerdicts).map { ($0.verdict, 1) }, uniquingKeysWith: +)
        claims = Dictionary(tables.flatMap(\.claimResults).map { ($0.verdict, 1) }, uniquingKeysWith: +)
    }

    public func count(_ verdict: NumberVerdict) -> Int { numbers[verdict] ?? 0 }
    public func count(_ verdict: ClaimVerdict) -> Int { claims[verdict] ?? 0 }
    public var numberTotal: Int { numbers.values.reduce(0, +) }
    public var claimTotal: Int { claims.values.reduce(0, +) }

    /// Every count under a stable key ("numbers_reproduced", "claims_not_measured", …), in
    /// the order of the verdicts, then the totals: for a lock file or a log.
    public var counts: [(key: String, value: Int)] {
        func key(_ kind: String, _ verdict: String) -> String {
            "\(kind)_"
                + verdict.replacingOccurrences(of: " than paper", with: "").replacingOccurrences(of: " ", with: "_")
        }
        return NumberVerdict.allCases.map { (key("numbers", $0.rawValue), count($0)) } + [
            ("numbers_total", numberTotal)
        ]
            + ClaimVerdict.allCases.map { (key("claims", $0.rawValue), count($0)) } + [("claims_total", claimTotal)]
    }

    /// "12 of 30 numbers reproduced, 5 of 19 claims supported".
    public var headline: String {
        "\(count(NumberVerdict.reproduced)) of \(numberTotal) numbers reproduced, "
            + "\(count(ClaimVerdict.supported)) of \(claimTotal) claims supported"
    }

    /// The other verdicts: "numbers: 3 higher than paper, 10 lower than paper, 5 not measured; claims: …".
    public var details: String {
        let numberText = [NumberVerdict.higher, .lower, .notMeasured].map { "\(count($0)) \($0.rawValue)" }
        let claimText = [ClaimVerdict.contradicted, .inconclusive, .notMeasured].map { "\(count($0)) \($0.rawValue)" }
        return "numbers: " + numberText.joined(separator: ", ") + "; claims: " + claimText.joined(separator: ", ")
    }

    /// How the intervals behind the verdicts are made.
    public static let intervalRule =
        "interval: mean ± max(2·std/√n, \(NumberFormat.fixed(Estimate.floor)) points); one seed uses the floor"
}
