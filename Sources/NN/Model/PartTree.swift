import Tensor

/// The one order in which the K parts of a data-parallel batch are summed: a binary tree
/// over the part indices, fixed by K alone. A node is a range of parts; it splits at the
/// middle, the left child taking the larger half. Every sum over parts (gradients,
/// running statistics) adds a node's two children, so the bits of a run depend on K and
/// never on how many processes computed the parts, nor on which computed what: P ranks
/// that own consecutive blocks of parts each compute the maximal subtrees inside their
/// block (`roots(inside:)`) and the owner of a slice of the sum adds the roots it
/// receives by the same tree (`sum(_:)`). One process computes the whole tree itself.
public struct PartTree: Sendable {
    public let parts: Int

    public init(parts: Int) {
        check(parts >= 1, "PartTree: \(parts) parts")
        self.parts = parts
    }

    public var root: Range<Int> { 0..<parts }

    /// A node's two children (a node of one part has none).
    public static func children(_ node: Range<Int>) -> (Range<Int>, Range<Int>) {
        let middle = node.lowerBound + (node.count + 1) / 2
        return (node.lowerBound..<middle, middle..<node.upperBound)
    }

    /// The parts rank `rank` of `ranks` computes: consecutive blocks, as even as K and P
    /// allow (P need not divide K).
    public static func block(rank: Int, ranks: Int, parts: Int) -> Range<Int> {
        check(ranks >= 1 && ranks <= parts && rank >= 0 && rank < ranks, "PartTree: rank \(rank) of \(ranks)")
        return rank * parts / ranks..<(rank + 1) * parts / ranks
    }

    /// The largest nodes inside `block`, in part order: what the owner of `block` sends.
    public func roots(inside block: Range<Int>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        func visit(_ node: Range<Int>) {
            if block.lowerBound <= node.lowerBound && node.upperBound <= block.upperBound {
                found.append(node)
            } else if node.count > 1 && node.overlaps(block) {
                let (left, right) = Self.children(node)
                visit(left)
                visit(right)
            }
        }
        visit(root)
        return found
    }

    /// The whole tree's sum from subtree values: `value(node)` gives a computed node (a
    /// root some block sent) or nil for one to split further. `add(a, b)` leaves a + b in
    /// `a`, element by element.
    public func sum<Value>(_ value: (Range<Int>) -> Value?, add: (inout Value, Value) -> Void) -> Value {
        func evaluate(_ node: Range<Int>) -> Value {
            if let known = value(node) { return known }
            check(node.count > 1, "PartTree: no value for part \(node.lowerBound)")
            let (left, right) = Self.children(node)
            var total = evaluate(left)
            add(&total, evaluate(right))
            return total
        }
        return evaluate(root)
    }

    /// A node's right spine: `sum(of: node)` is lefts[0] + (lefts[1] + (… + part `last`)),
    /// lefts being the left children on the way down to the node's last part. Float
    /// addition commutes, so adding the spine from the bottom up, element by element, gives
    /// the recursive sum's bits: what lets the last part's gradients be finished and sent
    /// a bucket at a time (`GradientStream`).
    public static func spine(of node: Range<Int>) -> (lefts: [Range<Int>], last: Int) {
        var lefts: [Range<Int>] = [], node = node
        while node.count > 1 {
            let (left, right) = children(node)
            lefts.append(left)
            node = right
        }
        return (lefts, node.lowerBound)
    }

    /// A subtree's sum computed here: `leaf(part)` gives one part's value, the parts in
    /// increasing order.
    public static func sum<Value>(
        of node: Range<Int>, leaf: (Int) -> Value, add: (inout Value, Value) -> Void
    ) -> Value {
        guard node.count > 1 else { return leaf(node.lowerBound) }
        let (left, right) = children(node)
        var total = sum(of: left, leaf: leaf, add: add)
        add(&total, sum(of: right, leaf: leaf, add: add))
        return total
    }
}
