import Foundation
import XCTest

@testable import Report

final class EstimateTests: XCTestCase {
    func testTwoSeeds() {
        let estimate = Estimate(values: [74.0, 75.0])
        XCTAssertEqual(estimate.n, 2)
        XCTAssertEqual(estimate.mean, 74.5, accuracy: 1e-12)
        XCTAssertEqual(estimate.std!, 0.70710678, accuracy: 1e-8)
        // 2 · 0.7071 / √2 = 1.0 > the floor
        XCTAssertEqual(estimate.halfWidth, 1.0, accuracy: 1e-12)
    }

    func testFourSeedsWideSpread() {
        let estimate = Estimate(values: [70, 71, 72, 73])
        XCTAssertEqual(estimate.mean, 71.5, accuracy: 1e-12)
        // √((2.25 + 0.25 + 0.25 + 2.25) / 3) = √(5/3)
        XCTAssertEqual(estimate.std!, 1.29099445, accuracy: 1e-8)
        XCTAssertEqual(estimate.halfWidth, 1.29099445, accuracy: 1e-8, "2 · std / √4 = std")
    }

    func testCloseSeedsGetTheFloor() {
        let estimate = Estimate(values: [74.0, 74.1, 74.2])
        XCTAssertEqual(estimate.std!, 0.1, accuracy: 1e-9)
        XCTAssertEqual(estimate.halfWidth, 0.5, "2 · 0.1 / √3 = 0.115 < 0.5")
    }

    func testOneSeedHasNoStdAndTheFloor() {
        let estimate = Estimate(73.2)
        XCTAssertEqual(estimate.n, 1)
        XCTAssertNil(estimate.std)
        XCTAssertEqual(estimate.mean, 73.2)
        XCTAssertEqual(estimate.halfWidth, Estimate.floor)
        XCTAssertEqual(Estimate.floor, 0.5)
    }

    func testCodableKeepsTheValuesInSeedOrder() throws {
        let estimate = Estimate(values: [75.0, 74.0, 74.5])
        let data = try JSONEncoder().encode(estimate)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "{\"values\":[75,74,74.5]}")
        XCTAssertEqual(try JSONDecoder().decode(Estimate.self, from: data), estimate)
        XCTAssertThrowsError(try JSONDecoder().decode(Estimate.self, from: Data("{\"values\":[]}".utf8)))
    }

    func testDifferenceOfIntervalsAddsHalfWidthsInQuadrature() {
        let difference = Interval(center: 74.5, halfWidth: 1.0).minus(Interval(center: 73.0, halfWidth: 0.5))
        XCTAssertEqual(difference.center, 1.5, accuracy: 1e-12)
        XCTAssertEqual(difference.halfWidth, 1.11803399, accuracy: 1e-8)
        XCTAssertFalse(difference.contains(0))
        XCTAssertEqual(Interval(center: 74.5, halfWidth: 1.0).minus(75.5), Interval(center: -1.0, halfWidth: 1.0))
    }

    func testFormats() {
        XCTAssertEqual(NumberFormat.estimate(Estimate(values: [74.0, 75.0])), "74.50 ± 0.71 (n=2)")
        XCTAssertEqual(NumberFormat.estimate(Estimate(74.123)), "74.12")
        XCTAssertEqual(NumberFormat.difference(Interval(center: 0.524, halfWidth: 1)), "+0.52 ± 1.00")
        XCTAssertEqual(NumberFormat.difference(Interval(center: -0.001, halfWidth: 0.5)), "0.00 ± 0.50")
    }
}
