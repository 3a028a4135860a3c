import XCTest

@testable import Tensor

final class RandomStreamTests: XCTestCase {
    /// Philox-4x32-10 known answer (Random123's kat_vectors): counter 0, key 0.
    func testPhiloxKnownAnswer() {
        // seed = fnv1a(purpose) makes the key 0; epoch 0 and index 0 make the counter 0
        var stream = RandomStream(seed: RandomStream.fnv1a("kat"), purpose: "kat")
        XCTAssertEqual((0..<4).map { _ in stream.next() }, [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8])
    }

    func testStreamsArePureFunctionsOfTheirCoordinates() {
        var a = RandomStream(seed: 1, purpose: "init", index: 3), b = RandomStream(seed: 1, purpose: "init", index: 3)
        var c = RandomStream(seed: 1, purpose: "init", index: 4)
        let first = (0..<10).map { _ in a.next() }
        XCTAssertEqual(first, (0..<10).map { _ in b.next() })
        XCTAssertNotEqual(first, (0..<10).map { _ in c.next() })
    }
}
