import CHDF5

/// A numeric type that maps to an HDF5 native type. Reads convert from whatever type the
/// file stores (int64 labels read as Int32, float64 references as Double, …).
public protocol H5Element: Numeric, Sendable {
    static var h5Type: hid_t { get }
}

extension Float: H5Element { public static var h5Type: hid_t { H5T_NATIVE_FLOAT_g } }
extension Double: H5Element { public static var h5Type: hid_t { H5T_NATIVE_DOUBLE_g } }
extension Int32: H5Element { public static var h5Type: hid_t { H5T_NATIVE_INT_g } }
extension Int64: H5Element { public static var h5Type: hid_t { H5T_NATIVE_LLONG_g } }
extension UInt8: H5Element { public static var h5Type: hid_t { H5T_NATIVE_UCHAR_g } }

/// A dense row-major array read from a dataset: its shape and its values.
public struct H5Array<T: H5Element>: Sendable {
    public var shape: [Int]
    public var values: [T]

    public init(shape: [Int], values: [T]) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values")
        self.shape = shape
        self.values = values
    }
}

/// How a dataset's chunks are stored.
public enum H5Compression: Sendable, Equatable {
    case none
    case zstd(level: UInt32)

    public static let standard = H5Compression.zstd(level: ZstdFilter.defaultLevel)
}
