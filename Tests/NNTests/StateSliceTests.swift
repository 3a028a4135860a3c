import NN
import Tensor
import XCTest

/// An optimizer that keeps the state of a slice of the parameters (a data-parallel rank's)
/// updates that slice with the bits of one that keeps the whole, for every update rule.
final class StateSliceTests: XCTestCase {
    func arena() -> Arena {
        var layout = Arena.Layout()
        layout.add("w.weight", [3])
        layout.add("w.bias", [2])
        let arena = Arena(views: layout.views)
        arena.storage.copy(from: [1, 0, -1, 2, 0.5])
        return arena
    }

    let makers: [(String, (Arena, Range<Int>?) -> Optimizer)] = {
        let decay = WeightDecay(rate: 0.01, kinds: [.convWeight, .denseBias])
        return [
            ("nag", { SGD(parameters: $0, weightDecay: decay, slice: $1) }),
            ("adam", { Adam(parameters: $0, weightDecay: decay, slice: $1) }),
            ("nadam", { Nadam(parameters: $0, weightDecay: decay, slice: $1) }),
            ("adadelta", { AdaDelta(parameters: $0, weightDecay: decay, slice: $1) }),
            ("rmsprop", { RMSProp(parameters: $0, weightDecay: decay, slice: $1) }),
        ]
    }()

    func testASliceStepsWithTheBitsOfTheWholeAndHoldsOnlyItsFloats() {
        for (name, make) in makers {
            for slice in [0..<2, 1..<4, 2..<5, 3..<3] {
                let whole = arena(), sliced = arena(), gradients = whole.zerosLike()
                let full = make(whole, nil), part = make(sliced, slice)
                for step in 1...4 {
                    gradients.storage.copy(from: (0..<5).map { Float($0 - 2) * 0.3 + Float(step) * 0.1 })
                    full.step(parameters: whole, gradients: gradients, learningRate: 0.1, range: slice)
                    part.step(parameters: sliced, gradients: gradients, learningRate: 0.1, range: slice)
                }
                XCTAssertEqual(sliced.storage.array, whole.storage.array, "\(name) on \(slice)")
                for (key, state) in part.state {
                    XCTAssertEqual(state.storage.count, slice.count, "\(name) keeps only its slice")
                    let expected = Array(full.state[key]!.storage.array[slice])
                    XCTAssertEqual(state.storage.array.map(\.bitPattern), expected.map(\.bitPattern))
                }
            }
        }
    }

    func testALoadKeepsTheSliceOfEachView() throws {
        let slice = StateSlice(views: arena().views, range: 2..<4)
        try slice.load(named: "w.weight", shape: [3], values: [7, 8, 9])
        try slice.load(named: "w.bias", shape: [2], values: [10, 11])
        XCTAssertEqual(slice.storage.array, [9, 10])
        XCTAssertFalse(slice.isWhole)
        XCTAssertThrowsError(try slice.load(named: "w.bias", shape: [3], values: [1, 2, 3]))
        XCTAssertEqual(slice.values(in: 3..<4), [10])
        XCTAssertEqual(slice.values(in: 0..<0), [], "no positions, wherever they are")
        XCTAssertTrue(StateSlice(views: arena().views).isWhole)
    }
}
