import Tensor

/// The chunks of a convolution's per-image work (forward, input gradient): every image,
/// split into `count` parts over the channels it writes, so that a small batch still
/// makes ~4 chunks per thread (the teacher's micro-batches of 32 on a 64-core node). A
/// part is whole groups where there are several, else blocks of `unit` rows (a register
/// tile's). Every output element is computed alone, so the parts never change a bit;
/// their count follows the thread count, and is 1 on 2 threads for any batch of 8 or more.
struct ImageParts {
    /// Parts per image.
    let count: Int
    /// Parts per image 64 threads would make (for `repro bench --parallelism`).
    let splittable: Int
    let groups, rowsPerGroup, unit: Int
    /// Units a part is made of: groups, or row blocks of the single group.
    private let units: Int

    init(rowsPerGroup: Int, groups: Int, unit: Int, batch: Int, threads: Int) {
        self.groups = groups; self.rowsPerGroup = rowsPerGroup; self.unit = unit
        let units = groups > 1 ? groups : (rowsPerGroup + unit - 1) / unit
        func parts(_ threads: Int) -> Int { min(units, max(1, (4 * threads + batch - 1) / batch)) }
        self.units = units
        count = parts(threads)
        splittable = batch * parts(64)
    }

    /// Chunks for the batch.
    func chunks(batch: Int) -> Int { batch * count }

    /// The groups part `part` writes, and the rows of each.
    func groups(_ part: Int) -> Range<Int> {
        let range = Parallel.range(part, of: count, count: units)
        return groups > 1 ? range : 0..<1
    }

    func rows(_ part: Int) -> Range<Int> {
        if groups > 1 { return 0..<rowsPerGroup }
        let range = Parallel.range(part, of: count, count: units)
        return range.lowerBound * unit..<min(rowsPerGroup, range.upperBound * unit)
    }

    /// The channels (over all groups) part `part` writes.
    func channels(_ part: Int) -> Range<Int> {
        let (g, r) = (groups(part), rows(part))
        return groups > 1 ? g.lowerBound * rowsPerGroup..<g.upperBound * rowsPerGroup : r
    }
}
