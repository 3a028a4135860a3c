import Foundation
import NN
import XCTest

/// LR schedules against RECIPE.md §5's closed forms at chosen iterations.
final class ScheduleTests: XCTestCase {
    // batch 256: I = 195 iterations per epoch
    let perEpoch = 195

    func testCosineWithWarmup() {
        let s = LRSchedule(decay: .cosine, baseRate: 0.1, epochs: 120, warmupEpochs: 5, iterationsPerEpoch: perEpoch)
        let warmup = 5 * perEpoch, main = 115 * perEpoch
        XCTAssertEqual(s.rate(atUpdate: 1), 0.1 / Double(warmup - 1), accuracy: 1e-15)
        XCTAssertEqual(s.rate(atUpdate: 400), 0.1 * 400 / Double(warmup - 1), accuracy: 1e-15)
        XCTAssertEqual(s.rate(atUpdate: warmup - 1), 0.1, accuracy: 1e-15)
        XCTAssertEqual(s.rate(atUpdate: warmup), 0.1, accuracy: 1e-15)
        let t = 10_000 - warmup
        XCTAssertEqual(
            s.rate(atUpdate: 10_000), 0.1 * (1 + cos(Double.pi * Double(t) / Double(main - 1))) / 2, accuracy: 1e-15)
        XCTAssertEqual(s.rate(atUpdate: warmup + main - 1), 0, accuracy: 1e-15)
        XCTAssertEqual(s.rate(atUpdate: warmup + main + 50), 0, accuracy: 1e-15)
    }

    func testStepDropsAtAbsoluteEpochs() {
        let plain = LRSchedule(
            decay: .step(epochs: [30, 60, 90], factor: 0.1), baseRate: 0.1, epochs: 120, iterationsPerEpoch: perEpoch)
        XCTAssertEqual(plain.rate(atUpdate: 1), 0.1)
        XCTAssertEqual(plain.rate(atUpdate: 30 * perEpoch - 1), 0.1)
        XCTAssertEqual(plain.rate(atUpdate: 30 * perEpoch), 0.01, accuracy: 1e-15)
        XCTAssertEqual(plain.rate(atUpdate: 95 * perEpoch), 1e-4, accuracy: 1e-15)
        let warm = LRSchedule(
            decay: .step(epochs: [40, 80], factor: 0.1), baseRate: 0.1, epochs: 120, warmupEpochs: 20,
            iterationsPerEpoch: perEpoch)
        XCTAssertEqual(warm.rate(atUpdate: 40 * perEpoch - 1), 0.1, accuracy: 1e-15)
        XCTAssertEqual(warm.rate(atUpdate: 40 * perEpoch), 0.01, accuracy: 1e-15)
        XCTAssertEqual(warm.rate(atUpdate: 80 * perEpoch), 0.001, accuracy: 1e-15)
    }

    func testPolynomial() {
        let s = LRSchedule(
            decay: .poly(power: 2), baseRate: 0.1, epochs: 120, warmupEpochs: 5, iterationsPerEpoch: perEpoch)
        let warmup = 5 * perEpoch, span = Double(115 * perEpoch - 1)
        XCTAssertEqual(s.rate(atUpdate: warmup + 5000), 0.1 * pow(1 - 5000 / span, 2), accuracy: 1e-15)
        XCTAssertEqual(s.rate(atUpdate: 120 * perEpoch), 0, accuracy: 1e-15)
    }
}
