/// The transport between the processes ("ranks") of one data-parallel run. It moves
/// floats and nothing else: every sum over parts happens in `PartTree`'s order on the
/// receiving side, never inside the transport (an MPI reduction's order depends on the
/// implementation and the number of ranks).
public protocol Collective: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// All-to-all: `outgoing[r]` goes to rank r (`outgoing[rank]` stays here); returns
    /// what each rank sent here, `incoming[r]` floats from rank r. A rank that does not
    /// answer in time ends the whole run (the transport's business: no caller waits forever).
    func exchange(_ outgoing: [[Float]], incoming: [Int]) -> [[Float]]

    /// Messages that travel while the caller computes (`GradientStream`): `post` hands
    /// `values` to the transport for rank `to` and returns at once; `expect` announces
    /// `count` floats from rank `from`; a tag tells one pair's messages apart. `progress`
    /// lets them move (MPI moves messages only inside its calls); `complete` waits for
    /// all of them, under the same deadline as `exchange`, and returns what was expected,
    /// in the order expected.
    func post(_ values: [Float], to rank: Int, tag: Int)
    func expect(_ count: Int, from rank: Int, tag: Int)
    func progress()
    func complete() -> [[Float]]
}

extension Collective {
    /// Every rank's `values` (`counts[r]` floats from rank r), in rank order.
    public func allGather(_ values: [Float], counts: [Int]) -> [[Float]] {
        exchange(Array(repeating: values, count: size), incoming: counts)
    }

    /// Every rank's `values` (`counts[r]` floats from rank r), in rank order, on rank
    /// `root`; empty arrays on the others.
    public func gather(_ values: [Float], counts: [Int], to root: Int) -> [[Float]] {
        var outgoing = Array(repeating: [Float](), count: size)
        outgoing[root] = values
        return exchange(outgoing, incoming: rank == root ? counts : Array(repeating: 0, count: size))
    }

    /// Whether any rank says yes (a stop request seen by one rank stops all at one step).
    public func any(_ flag: Bool) -> Bool {
        guard size > 1 else { return flag }
        return allGather([flag ? 1 : 0], counts: Array(repeating: 1, count: size)).contains { $0[0] != 0 }
    }
}

/// One process: every part is computed here and an exchange returns what it was given.
public final class SingleProcess: Collective {
    private var posted: [Int: [Float]] = [:], expected: [Int] = []

    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func exchange(_ outgoing: [[Float]], incoming: [Int]) -> [[Float]] { outgoing }

    public func post(_ values: [Float], to rank: Int, tag: Int) { posted[tag] = values }
    public func expect(_ count: Int, from rank: Int, tag: Int) { expected.append(tag) }
    public func progress() {}
    public func complete() -> [[Float]] {
        defer { (posted, expected) = ([:], []) }
        return expected.map { tag in posted[tag] ?? [] }
    }
}
