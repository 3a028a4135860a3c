/// Contiguous float32 storage with named, shaped views (llm.c's `params_memory`):
/// parameters, gradients, BN running statistics and optimizer moments each live in one
/// arena, so an update is one loop and a checkpoint is one dataset per view.
public final class Arena {
    public struct View: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// Views in the order they were added (the model order).
    public let views: [View]
    public let storage: FloatBuffer
    private let index: [String: Int]

    public init(views: [View]) {
        self.views = views
        storage = FloatBuffer(count: views.last.map { $0.offset + $0.count } ?? 0)
        index = Dictionary(uniqueKeysWithValues: views.enumerated().map { ($1.name, $0) })
    }

    /// Where two view lists differ, for a failed check: the first tensor whose name or
    /// shape differs, with both shapes, or the two counts.
    public static func difference(_ a: [View], _ b: [View]) -> String {
        for (x, y) in zip(a, b) where x != y {
            return
                "tensor \(x.name) \(x.shape) at offset \(x.offset) against \(y.name) \(y.shape) at offset \(y.offset)"
        }
        return a.count == b.count ? "the same views" : "\(a.count) tensors against \(b.count)"
    }

    /// A zero arena with the same views (gradients, optimizer moments).
    public func zerosLike() -> Arena { Arena(views: views) }

    public var count: Int { storage.count }
    public var pointer: UnsafeMutablePointer<Float> { storage.pointer }
    public func pointer(_ view: View) -> UnsafeMutablePointer<Float> { storage.pointer + view.offset }
    public func view(named name: String) -> View? { index[name].map { views[$0] } }

    /// A copy of the named view's values.
    public func values(named name: String) throws -> [Float] {
        guard let view = view(named: name) else { throw ArenaError.unknownTensor(name) }
        return Array(UnsafeBufferPointer(start: pointer(view), count: view.count))
    }

    /// Overwrites the named view; the shape must match exactly.
    public func load(named name: String, shape: [Int], values: [Float]) throws {
        guard let view = view(named: name) else { throw ArenaError.unknownTensor(name) }
        guard shape == view.shape, values.count == view.count else {
            throw ArenaError.shapeMismatch(name, expected: view.shape, got: shape)
        }
        values.withUnsafeBufferPointer { pointer(view).update(from: $0.baseAddress!, count: view.count) }
    }

    public func zero() { storage.zero() }

    /// Builds the view list: offsets are assigned in the order of `add`.
    public struct Layout {
        public private(set) var views: [View] = []
        public private(set) var count = 0
        public init() {}

        /// Adds a view and returns its index.
        @discardableResult
        public mutating func add(_ name: String, _ shape: [Int]) -> Int {
            check(!views.contains { $0.name == name }, "Arena.Layout: duplicate tensor name \(name)")
            views.append(View(name: name, shape: shape, offset: count))
            count += shape.reduce(1, *)
            return views.count - 1
        }
    }
}

public enum ArenaError: Error, CustomStringConvertible, Equatable {
    case unknownTensor(String)
    case shapeMismatch(String, expected: [Int], got: [Int])

    /// A tensor that is not there or has another shape comes from a file (a checkpoint,
    /// a golden file) that does not fit the model: bad input (exit 2).
    public var isBadInput: Bool { true }

    public var description: String {
        switch self {
        case .unknownTensor(let name): return "no tensor named \(name)"
        case .shapeMismatch(let name, let expected, let got):
            return "tensor \(name): expected shape \(expected), got \(got)"
        }
    }
}
