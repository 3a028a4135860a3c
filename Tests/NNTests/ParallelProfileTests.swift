import XCTest

@testable import Tensor

/// Amdahl's bound from timed regions, against hand-computed values.
final class ParallelProfileTests: XCTestCase {
    func testSpeedupBoundFromChunksAndSerialTime() {
        // Measured on 2 threads: 4 s in regions of 8 chunks, 1 s in regions of 1 chunk;
        // the step took 6 s, so 1 s is serial.
        let profile = ParallelProfile(threads: 2)
        profile.record(.batchNorm, chunks: 8, seconds: 4)
        profile.record(.panelConvolutionBackward, chunks: 1, seconds: 1)
        XCTAssertEqual(profile.time(.batchNorm), 4)
        XCTAssertEqual(profile.time(.batchNorm, on: 1), 8)  // 8 s of work
        XCTAssertEqual(profile.time(.batchNorm, on: 64), 1)  // at most 8 workers
        XCTAssertEqual(profile.fewestChunks(.batchNorm), 8)
        // one thread: 1 + 8 + 1 = 10 s; 64 threads: 1 + 1 + 1 = 3 s
        XCTAssertEqual(profile.speedup(on: 64, total: 6), 10.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(profile.speedup(on: 4, total: 6), 10.0 / 4.0, accuracy: 1e-12)
    }
}
