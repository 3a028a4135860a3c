import Tensor

/// One named state of an optimizer (momentum, a moment, …) at the flat positions `range`
/// of the parameters (all views together, in the arena's order). A data-parallel rank
/// keeps only the slice it updates (`DataParallel.parameterSlice`), so the state's memory
/// is shared out over the ranks; one process keeps the whole.
public final class StateSlice {
    /// The parameters' views: the names and shapes of the whole state, as a checkpoint holds it.
    public let views: [Arena.View]
    public let range: Range<Int>
    /// `range.count` floats: position `range.lowerBound + i` of the whole at `i`.
    public let storage: FloatBuffer

    /// Zeros at `range` (default: every parameter) of a state with the given views.
    public init(views: [Arena.View], range: Range<Int>? = nil) {
        let whole = 0..<(views.last.map { $0.offset + $0.count } ?? 0)
        let range = range ?? whole
        check(range.clamped(to: whole) == range, "StateSlice: \(range) outside the \(whole.count) parameters")
        self.views = views
        self.range = range
        storage = FloatBuffer(count: range.count)
    }

    /// Whether this slice is the whole state (one process's).
    public var isWhole: Bool { range.count == (views.last.map { $0.offset + $0.count } ?? 0) }

    /// Where the flat positions `part` are stored; they must lie inside `range` (or be none).
    func pointer(_ part: Range<Int>) -> UnsafeMutablePointer<Float> {
        guard !part.isEmpty else { return storage.pointer }
        check(part.clamped(to: range) == part, "StateSlice: positions \(part) outside the slice \(range)")
        return storage.pointer + (part.lowerBound - range.lowerBound)
    }

    /// A copy of the values at the flat positions `part`, inside the slice.
    public func values(in part: Range<Int>) -> [Float] {
        Array(UnsafeBufferPointer(start: pointer(part), count: part.count))
    }

    /// A copy of a view's values (the view must lie inside the slice: whole, for a checkpoint).
    public func values(of view: Arena.View) -> [Float] { values(in: view.offset..<view.offset + view.count) }

    /// Takes the part inside `range` of the named view's values (all of the view's, as a
    /// checkpoint holds them); the shape must match exactly.
    public func load(named name: String, shape: [Int], values: [Float]) throws {
        guard let view = views.first(where: { $0.name == name }) else { throw ArenaError.unknownTensor(name) }
        guard shape == view.shape, values.count == view.count else {
            throw ArenaError.shapeMismatch(name, expected: view.shape, got: shape)
        }
        let part = range.clamped(to: view.offset..<view.offset + view.count)
        guard !part.isEmpty else { return }
        values.withUnsafeBufferPointer { buffer in
            pointer(part).update(from: buffer.baseAddress! + (part.lowerBound - view.offset), count: part.count)
        }
    }
}
