import XCTest

@testable import Report

final class VerdictTests: XCTestCase {
    func testNumberVerdicts() {
        let estimate = Estimate(values: [74.0, 75.0])  // 74.5 ± 1.0
        XCTAssertEqual(NumberVerdict(estimate: estimate, paper: 75.5), .reproduced, "an end of the interval is inside")
        XCTAssertEqual(NumberVerdict(estimate: estimate, paper: 75.51), .lower)
        XCTAssertEqual(NumberVerdict(estimate: estimate, paper: 73.4), .higher)
        XCTAssertEqual(NumberVerdict(estimate: nil, paper: 73.4), .notMeasured)
        // 74.51 − 74.01 = 0.50 = h in decimals, a hair more in doubles: still the end of the interval
        XCTAssertEqual(NumberVerdict(estimate: Estimate(values: [74.0, 74.02]), paper: 74.51), .reproduced)
        XCTAssertEqual(NumberVerdict(estimate: Estimate(values: [74.0, 74.02]), paper: 73.51), .reproduced)
        XCTAssertEqual(NumberVerdict(estimate: Estimate(values: [74.0, 74.02]), paper: 74.52), .lower)
        XCTAssertEqual(NumberVerdict.higher.rawValue, "higher than paper")
    }

    func testClaimVerdicts() {
        let positive = Interval(center: 1.5, halfWidth: 1.118)
        XCTAssertEqual(ClaimVerdict(ours: positive, paperDifference: 1.07), .supported)
        XCTAssertEqual(ClaimVerdict(ours: positive, paperDifference: -0.5), .contradicted)
        XCTAssertEqual(ClaimVerdict(ours: Interval(center: -0.5, halfWidth: 0.4), paperDifference: 1.07), .contradicted)
        XCTAssertEqual(
            ClaimVerdict(ours: Interval(center: 0.5, halfWidth: 1.118), paperDifference: 1.07), .inconclusive)
        XCTAssertEqual(
            ClaimVerdict(ours: Interval(center: 0.5, halfWidth: 0.5), paperDifference: 1.07), .inconclusive,
            "0 at the end")
        XCTAssertEqual(
            ClaimVerdict(ours: positive, paperDifference: 0), .contradicted, "the paper claims no difference")
        XCTAssertEqual(ClaimVerdict(ours: nil, paperDifference: 1.07), .notMeasured)
    }

    func testClaimsFollowThePapersNumbers() {
        XCTAssertEqual(RepoPaper.table("table1").claims, [])
        XCTAssertNotNil(RepoPaper.table("table1").claimsNote)
        XCTAssertEqual(RepoPaper.table("table2").claims.count, 4)
        XCTAssertEqual(RepoPaper.table("table3").claims.count, 4)
        XCTAssertEqual(RepoPaper.table("table4").claims.count, 7, "3 warm-up pairs, 2 cosine-step, 2 poly-step")
        XCTAssertEqual(RepoPaper.table("table5").claims.count, 7)

        let cosine = RepoPaper.table("table3").claims[0]
        XCTAssertEqual(cosine.text, "+ cosine decay improves on Baseline by +1.07 points")
        XCTAssertEqual(cosine.paperDifference, 1.07)
        XCTAssertEqual(
            [cosine.row, cosine.baseRow, cosine.column, cosine.baseColumn],
            ["+ cosine decay", "Baseline", "top1", "top1"])
        XCTAssertEqual(RepoPaper.table("table3").claims.map(\.paperDifference), [1.07, 2.39, 0.72, 1.24])

        let adam = RepoPaper.table("table2").claims[0]
        XCTAssertEqual(
            adam.text, "Adam falls short of NAG (Baseline) by 2.18 points (paper base 74.92, Table I's ResNet56)")
        XCTAssertEqual(RepoPaper.table("table2").claims.map(\.paperDifference), [-2.18, -1.37, -3.38, -3.43])

        let table4 = RepoPaper.table("table4").claims
        XCTAssertEqual(
            table4.map(\.text),
            [
                "step decay, decay at [40,80]: 20 warm-up epochs improves on 5 by +0.59 points",
                "poly decay, decay at [30,60,90]: 20 warm-up epochs falls short of 5 by 0.27 points",
                "cosine decay, decay at [30,60,90]: 20 warm-up epochs improves on 5 by +1.00 points",
                "decay at [30,60,90], 20 warm-up epochs: cosine decay improves on step decay by +0.99 points",
                "decay at [40,80], 20 warm-up epochs: cosine decay falls short of step decay by 0.23 points",
                "decay at [30,60,90], 20 warm-up epochs: poly decay falls short of step decay by 0.12 points",
                "decay at [40,80], 5 warm-up epochs: poly decay falls short of step decay by 0.72 points",
            ])
        XCTAssertEqual([table4[0].column, table4[0].baseColumn], ["p4080_w20", "p4080_w5"])

        XCTAssertEqual(
            RepoPaper.table("table5").claims.map(\.paperDifference),
            [0.40, 0.40, 0.37, 1.08, 1.24, 1.21, 1.92])
        XCTAssertEqual(
            RepoPaper.table("table5").claims[3].text,
            "Vert. Spatial Mixup w/ Distill. improves on Interp. Mixup w/ Distill. by +1.08 points")
    }

    func testEveryClaimNamesCellsOfItsTable() {
        for paper in RepoPaper.paper.tables {
            let none: [[Estimate?]] = paper.values.map { $0.map { _ in nil } }
            let empty = TableResult(paper: paper, ours: none, profile: "t")
            XCTAssertTrue(
                empty.claimResults.allSatisfy { $0.verdict == .notMeasured && $0.claim.table == paper.id }, paper.id)
        }
    }

    /// Table III and Table V with hand-picked seeds; every verdict worked out by hand below.
    static let table3 = TableResult(
        paper: RepoPaper.table("table3"),
        ours: [
            [Estimate(values: [74.0, 75.0]), Estimate(95.0)],  // 74.5 ± 1.0 vs 74.92 ✓; 95.0 ± 0.5 vs 95.66 ↓
            [Estimate(values: [76.0, 77.0]), nil],  // 76.5 ± 1.0 vs 75.99 ✓; not measured
            [Estimate(values: [79.0, 79.2, 79.4]), Estimate(94.7)],  // 79.2 ± 0.5 (floor) vs 78.38 ↑; 94.7 vs 94.70 ✓
            [nil, nil],  // not measured twice
            [Estimate(80.0), Estimate(96.5)],  // 80.0 ± 0.5 vs 80.34 ✓; 96.5 vs 95.75 ↑
        ], profile: "test")

    static let table5 = TableResult(
        paper: RepoPaper.table("table5"),
        ours: [
            [Estimate(80.0), nil],  // vs 79.10 ↑
            [Estimate(79.0), nil],  // vs 79.50: 79.0 + 0.5 reaches it ✓
            [Estimate(80.2), nil],  // vs 79.50 ↑
            [nil, nil], [nil, nil], [nil, nil],
        ], profile: "test")

    func testNumberVerdictsOfAHandBuiltTable() {
        let checks = VerdictTests.table3.numberVerdicts
        XCTAssertEqual(
            checks.map(\.verdict),
            [
                .reproduced, .lower, .reproduced, .notMeasured, .higher, .reproduced,
                .notMeasured, .notMeasured, .reproduced, .higher,
            ])
        XCTAssertEqual(checks[1].row, "Baseline")
        XCTAssertEqual(checks[1].column, "top5")
        XCTAssertEqual(checks[1].paper, 95.66)
        XCTAssertEqual(checks[1].estimate, Estimate(95.0))
        XCTAssertEqual(
            VerdictTests.table5.numberVerdicts.filter { $0.column == "top1" }.map(\.verdict),
            [.higher, .reproduced, .higher, .notMeasured, .notMeasured, .notMeasured])
    }

    func testClaimVerdictsOfAHandBuiltTable() {
        let claims = VerdictTests.table3.claimResults
        XCTAssertEqual(claims.map(\.verdict), [.supported, .supported, .notMeasured, .notMeasured])
        // + cosine decay − Baseline: 76.5 − 74.5 = 2.0 ± √(1² + 1²)
        XCTAssertEqual(claims[0].ours!.center, 2.0, accuracy: 1e-12)
        XCTAssertEqual(claims[0].ours!.halfWidth, 1.41421356, accuracy: 1e-8)
        // + label smoothing − + cosine decay: 79.2 − 76.5 = 2.7 ± √(0.5² + 1²)
        XCTAssertEqual(claims[1].ours!.center, 2.7, accuracy: 1e-9)
        XCTAssertEqual(claims[1].ours!.halfWidth, 1.11803399, accuracy: 1e-8)
        XCTAssertNil(claims[2].ours)
        // Horiz. − Interp.: 79.0 − 80.0 = −1.0 ± 0.71 against the paper's +0.40; Vert.: +0.2 ± 0.71
        XCTAssertEqual(
            VerdictTests.table5.claimResults.map(\.verdict),
            [.contradicted, .inconclusive, .notMeasured, .notMeasured, .notMeasured, .notMeasured, .notMeasured])
    }

    func testSummaryCounts() {
        let summary = VerdictSummary(tables: [VerdictTests.table3, VerdictTests.table5])
        XCTAssertEqual(summary.count(NumberVerdict.reproduced), 5)
        XCTAssertEqual(summary.count(NumberVerdict.higher), 4)
        XCTAssertEqual(summary.count(NumberVerdict.lower), 1)
        XCTAssertEqual(summary.count(NumberVerdict.notMeasured), 12)
        XCTAssertEqual(summary.numberTotal, 22)
        XCTAssertEqual(summary.count(ClaimVerdict.supported), 2)
        XCTAssertEqual(summary.count(ClaimVerdict.contradicted), 1)
        XCTAssertEqual(summary.count(ClaimVerdict.inconclusive), 1)
        XCTAssertEqual(summary.count(ClaimVerdict.notMeasured), 7)
        XCTAssertEqual(summary.claimTotal, 11)
        XCTAssertEqual(summary.headline, "5 of 22 numbers reproduced, 2 of 11 claims supported")
        XCTAssertEqual(
            summary.details,
            "numbers: 4 higher than paper, 1 lower than paper, 12 not measured; "
                + "claims: 1 contradicted, 1 inconclusive, 7 not measured")
        XCTAssertEqual(
            summary.counts.map(\.key),
            [
                "numbers_reproduced", "numbers_higher", "numbers_lower", "numbers_not_measured", "numbers_total",
                "claims_supported", "claims_contradicted", "claims_inconclusive", "claims_not_measured", "claims_total",
            ])
        XCTAssertEqual(summary.counts.map(\.value), [5, 4, 1, 12, 22, 2, 1, 1, 7, 11])
    }
}
