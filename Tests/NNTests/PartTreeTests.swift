import NN
import XCTest

/// The canonical sum over K parts: any P ranks owning consecutive blocks, each sending its
/// blocks' largest subtrees, give the bits of the whole tree computed in one place.
final class PartTreeTests: XCTestCase {
    /// Values whose sum depends on the order of the additions.
    func leaf(_ part: Int) -> [Float] { [1e8, 1, 3e-8, -1e8].map { $0 * Float(part % 3 + 1) + Float(part) * 0.1 } }

    func add(_ a: inout [Float], _ b: [Float]) { for i in a.indices { a[i] += b[i] } }

    func testEveryNumberOfRanksGivesTheBitsOfOneProcess() {
        for parts in 1...13 {
            let tree = PartTree(parts: parts)
            let whole = PartTree.sum(of: tree.root, leaf: leaf, add: add)
            for ranks in 1...parts {
                var sent: [Range<Int>: [Float]] = [:]
                var covered: [Int] = []
                for rank in 0..<ranks {
                    let block = PartTree.block(rank: rank, ranks: ranks, parts: parts)
                    for node in tree.roots(inside: block) {
                        XCTAssertTrue(block.contains(node.lowerBound) && node.upperBound <= block.upperBound)
                        sent[node] = PartTree.sum(of: node, leaf: leaf, add: add)
                        covered += Array(node)
                    }
                }
                XCTAssertEqual(covered, Array(0..<parts), "\(ranks) ranks cover \(parts) parts once, in order")
                let combined = tree.sum({ sent[$0] }, add: add)
                XCTAssertEqual(
                    combined.map(\.bitPattern), whole.map(\.bitPattern), "\(parts) parts on \(ranks) ranks")
            }
        }
    }

    /// The streamed last subtree (`GradientStream`): its left sums, then the last part
    /// added up the spine from the bottom, element by element, give the recursive sum's bits.
    func testTheRightSpineAddsToTheBitsOfTheRecursiveSum() {
        for parts in 1...13 {
            for first in 0..<parts {
                let node = first..<parts
                let (lefts, last) = PartTree.spine(of: node)
                XCTAssertEqual(last, parts - 1)
                var value = leaf(last)
                for left in lefts.reversed() {
                    let sum = PartTree.sum(of: left, leaf: leaf, add: add)
                    for i in value.indices { value[i] = sum[i] + value[i] }
                }
                let whole = PartTree.sum(of: node, leaf: leaf, add: add)
                XCTAssertEqual(value.map(\.bitPattern), whole.map(\.bitPattern), "parts \(node)")
            }
        }
    }

    func testBlocksAreAsEvenAsPossible() {
        let sizes = (0..<4).map { PartTree.block(rank: $0, ranks: 4, parts: 6).count }
        XCTAssertEqual(sizes, [1, 2, 1, 2])
        XCTAssertEqual(PartTree.children(0..<5).0, 0..<3, "the left child takes the larger half")
    }
}
