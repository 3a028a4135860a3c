import Tensor

/// `DataParallel`'s reduce-scatter, sent while the backward pass still runs. A rank sends
/// the sums of its subtrees (`PartTree.roots`) slice by slice to the slices' owners. All
/// but the last subtree are finished before the last part starts, and go out whole then;
/// the last one is finished bucket by bucket (`Model.gradientBuckets`) as the last part's
/// backward pass reports them, down its right spine (`PartTree.spine`), and each bucket's
/// pieces go to the ranks whose slices they fall in while the layers below are computed.
/// The owner adds what it received by the tree, as before: the same values in the same
/// order, so the same bits; only the time at which they travel changes.
final class GradientStream {
    private let parallel: DataParallel
    private let buckets: [Range<Int>]
    private let gradientCount: Int
    private var lefts: [[Float]] = [], roots: [(node: Range<Int>, sum: [Float])] = []
    private var sent = 0
    /// This rank's slice of its own last subtree's sum, filled in as the buckets finish.
    private var own: [Float]
    /// What `complete` returns, in the order expected: (sender, bucket or nil for the
    /// sender's other subtrees).
    private var expected: [(rank: Int, bucket: Int?)] = []

    private var collective: Collective { parallel.collective }
    private var owned: Range<Int> { parallel.slice(collective.rank, of: buckets[0].upperBound) }

    /// Posts every receive of the step: the counts follow from the tree, the slices and
    /// the buckets, which every rank knows.
    init(_ parallel: DataParallel, model: Model) {
        self.parallel = parallel
        let buckets = model.gradientBuckets
        self.buckets = buckets
        gradientCount = model.gradients.count
        let owned = parallel.slice(parallel.collective.rank, of: buckets[0].upperBound)
        own = [Float](repeating: 0, count: owned.count)
        for r in 0..<parallel.ranks where r != parallel.collective.rank {
            let others = parallel.tree.roots(inside: parallel.block(r)).count - 1
            if others > 0 && !owned.isEmpty {
                collective.expect(others * owned.count, from: r, tag: 1)
                expected.append((r, nil))
            }
            for (j, bucket) in buckets.enumerated() where !bucket.clamped(to: owned).isEmpty {
                collective.expect(bucket.clamped(to: owned).count, from: r, tag: 2 + j)
                expected.append((r, j))
            }
        }
    }

    /// Before the last part: the left sums of the last subtree's spine, and the other
    /// subtrees' sums, which go to the owners now.
    func start(lefts: [[Float]], roots: [(node: Range<Int>, sum: [Float])]) {
        (self.lefts, self.roots) = (lefts, roots)
        guard !roots.isEmpty else { return }
        for s in 0..<parallel.ranks where s != collective.rank {
            let slice = parallel.slice(s, of: buckets[0].upperBound)
            if !slice.isEmpty { collective.post(roots.flatMap { $0.sum[slice] }, to: s, tag: 1) }
        }
    }

    /// The last part's gradients from flat position `from` on are final (`Model.backward`):
    /// finishes and sends every bucket inside them.
    func finished(from: Int, _ model: Model) {
        while sent < buckets.count && buckets[sent].lowerBound >= from {
            for s in 0..<parallel.ranks {
                let piece = buckets[sent].clamped(to: parallel.slice(s, of: buckets[0].upperBound))
                guard !piece.isEmpty else { continue }
                let values = spineSum(piece, model)
                if s == collective.rank {
                    own.replaceSubrange(piece.shifted(by: -owned.lowerBound), with: values)
                } else {
                    collective.post(values, to: s, tag: 2 + sent)
                }
            }
            sent += 1
        }
        collective.progress()
    }

    /// The last subtree's sum at `piece`: the last part's values added up the spine.
    private func spineSum(_ piece: Range<Int>, _ model: Model) -> [Float] {
        let (gradients, statistics) = (model.gradients.pointer, model.buffers.pointer - gradientCount)
        var values = piece.map { i in i < gradientCount ? gradients[i] : statistics[i] }
        for left in lefts.reversed() {
            for (k, i) in piece.enumerated() { values[k] = left[i] + values[k] }
        }
        return values
    }

    /// Waits for every message of the step; returns this rank's slice of the sum over all
    /// parts, added by the tree.
    func complete() -> [Float] {
        check(sent == buckets.count, "gradient stream: \(sent) of \(buckets.count) buckets sent")
        let incoming = collective.complete()
        let owned = owned
        var received: [Range<Int>: [Float]] = [:]
        var last = [Int: [Float]]()
        func store(_ rank: Int, others values: [Float]) {
            for (i, node) in parallel.tree.roots(inside: parallel.block(rank)).dropLast().enumerated() {
                received[node] = Array(values[i * owned.count..<(i + 1) * owned.count])
            }
        }
        for ((rank, bucket), values) in zip(expected, incoming) {
            guard let bucket else {
                store(rank, others: values)
                continue
            }
            let piece = buckets[bucket].clamped(to: owned).shifted(by: -owned.lowerBound)
            last[rank, default: [Float](repeating: 0, count: owned.count)].replaceSubrange(piece, with: values)
        }
        store(collective.rank, others: roots.flatMap { $0.sum[owned] })
        last[collective.rank] = own
        for r in 0..<parallel.ranks {
            received[parallel.tree.roots(inside: parallel.block(r)).last!] = last[r] ?? []
        }
        return parallel.tree.sum({ received[$0] }, add: PartResults.add)
    }
}

extension Range where Bound == Int {
    fileprivate func shifted(by offset: Int) -> Range<Int> { lowerBound + offset..<upperBound + offset }
}
