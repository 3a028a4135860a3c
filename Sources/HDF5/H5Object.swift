import CHDF5
import Foundation

/// An open HDF5 object (group or dataset): it owns its identifier and carries attributes.
public class H5Object {
    let id: hid_t
    /// The full path inside the file, for error messages.
    public let path: String
    private let closer: (hid_t) -> herr_t

    init(id: hid_t, path: String, closer: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.path = path
        self.closer = closer
    }

    deinit {
        // Closing the file closes what is still open in it (H5F_CLOSE_STRONG).
        H5Library.locked { if H5Iis_valid(id) > 0 { _ = closer(id) } }
    }

    // MARK: writing attributes

    public func setAttribute(_ name: String, _ value: String) throws {
        try H5Library.locked {
            let type = try H5Library.check(H5Tcopy(H5T_C_S1_g), "string type")
            defer { H5Tclose(type) }
            H5Tset_size(type, H5Constants.variableLength)
            H5Tset_cset(type, H5T_CSET_UTF8)
            try writeAttribute(name, type: type, dims: []) { attr in
                try value.withCString { cString in
                    var pointer: UnsafePointer<CChar>? = cString
                    try H5Library.check(H5Awrite(attr, type, &pointer), "write attribute \(name)")
                }
            }
        }
    }

    public func setAttribute(_ name: String, _ value: Int) throws {
        try setAttribute(name, [Int64(value)], scalar: true)
    }

    public func setAttribute(_ name: String, _ value: Double) throws {
        try setAttribute(name, [value], scalar: true)
    }

    /// A numeric attribute; `scalar` stores a single value with a scalar dataspace.
    public func setAttribute<T: H5Element>(_ name: String, _ values: [T], scalar: Bool = false) throws {
        precondition(!scalar || values.count == 1)
        try H5Library.locked {
            try writeAttribute(name, type: T.h5Type, dims: scalar ? [] : [values.count]) { attr in
                _ = try values.withUnsafeBytes { raw in
                    try H5Library.check(H5Awrite(attr, T.h5Type, raw.baseAddress), "write attribute \(name)")
                }
            }
        }
    }

    private func writeAttribute(_ name: String, type: hid_t, dims: [Int], write: (hid_t) throws -> Void) throws {
        if H5Aexists(id, name) > 0 { H5Adelete(id, name) }
        let space = try H5Dataspace.create(dims)
        defer { H5Sclose(space) }
        let attr = try H5Library.check(
            H5Acreate2(id, name, type, space, H5Constants.propertyDefault, H5Constants.propertyDefault),
            "create attribute \(name) on \(path)")
        defer { H5Aclose(attr) }
        try write(attr)
    }

    // MARK: reading attributes

    /// Attribute names in name order.
    public var attributeNames: [String] {
        H5Library.locked {
            let count = attributeCount()
            return (0..<count).compactMap { index -> String? in
                let length = H5Aget_name_by_idx(
                    id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), nil, 0, H5Constants.propertyDefault)
                guard length >= 0 else { return nil }
                var buffer = [CChar](repeating: 0, count: Int(length) + 1)
                H5Aget_name_by_idx(
                    id, ".", H5_INDEX_NAME, H5_ITER_INC, hsize_t(index), &buffer, buffer.count,
                    H5Constants.propertyDefault)
                return String(cString: buffer)
            }
        }
    }

    private func attributeCount() -> Int {
        var info = H5O_info_t()
        guard H5Oget_info2(id, &info, UInt32(H5O_INFO_NUM_ATTRS)) >= 0 else { return 0 }
        return Int(info.num_attrs)
    }

    public func hasAttribute(_ name: String) -> Bool {
        H5Library.locked { H5Aexists(id, name) > 0 }
    }

    public func stringAttribute(_ name: String) throws -> String {
        try H5Library.locked {
            try withAttribute(name) { attr in
                let type = try H5Library.check(H5Aget_type(attr), "type of attribute \(name)")
                defer { H5Tclose(type) }
                guard H5Tget_class(type) == H5T_STRING else {
                    throw H5Error("attribute \(name) on \(path) is not a string")
                }
                // H5Aread writes one value per point: only a single string fits the buffers below.
                let space = H5Aget_space(attr)
                defer { H5Sclose(space) }
                let points = H5Sget_simple_extent_npoints(space)
                guard points == 1 else {
                    throw H5Error("attribute \(name) on \(path) holds \(points) strings, not one")
                }
                if H5Tis_variable_str(type) > 0 {
                    let memType = H5Tcopy(H5T_C_S1_g)
                    defer { H5Tclose(memType) }
                    H5Tset_size(memType, H5Constants.variableLength)
                    H5Tset_cset(memType, H5Tget_cset(type))
                    var pointer: UnsafeMutablePointer<CChar>? = nil
                    try H5Library.check(H5Aread(attr, memType, &pointer), "read attribute \(name)")
                    defer { if let pointer { H5free_memory(pointer) } }
                    return pointer.map { String(cString: $0) } ?? ""
                }
                let size = try H5Dataspace.elementCount(
                    [H5Tget_size(type)], elementSize: 1, of: "attribute \(name) on \(path)")
                var bytes = [UInt8](repeating: 0, count: size + 1)
                try H5Library.check(H5Aread(attr, type, &bytes), "read attribute \(name)")
                return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
        }
    }

    /// A numeric attribute's values, converted to `T` by the library.
    public func attribute<T: H5Element>(_ name: String, as: T.Type = T.self) throws -> [T] {
        try H5Library.locked {
            try withAttribute(name) { attr in
                let space = H5Aget_space(attr)
                defer { H5Sclose(space) }
                let points = Int(H5Sget_simple_extent_npoints(space))
                let count = try H5Dataspace.elementCount(
                    [points], elementSize: MemoryLayout<T>.stride, of: "attribute \(name) on \(path)")
                var values = [T](repeating: 0, count: count)
                _ = try values.withUnsafeMutableBytes { raw in
                    try H5Library.check(
                        H5Aread(attr, T.h5Type, raw.baseAddress), "read attribute \(name) on \(path) as \(T.self)")
                }
                return values
            }
        }
    }

    public func intAttribute(_ name: String) throws -> Int {
        let values: [Int64] = try attribute(name)
        guard values.count == 1 else {
            throw H5Error("attribute \(name) on \(path) holds \(values.count) values, not one")
        }
        return Int(values[0])
    }

    public func doubleAttribute(_ name: String) throws -> Double {
        let values: [Double] = try attribute(name)
        guard values.count == 1 else {
            throw H5Error("attribute \(name) on \(path) holds \(values.count) values, not one")
        }
        return values[0]
    }

    private func withAttribute<R>(_ name: String, _ body: (hid_t) throws -> R) throws -> R {
        guard H5Aexists(id, name) > 0 else { throw H5Error("\(path) has no attribute \(name)") }
        let attr = try H5Library.check(
            H5Aopen(id, name, H5Constants.propertyDefault), "open attribute \(name) on \(path)")
        defer { H5Aclose(attr) }
        return try body(attr)
    }
}

/// Dataspace helpers: rank 0 is a scalar space.
enum H5Dataspace {
    static func create(_ dims: [Int]) throws -> hid_t {
        if dims.isEmpty { return try H5Library.check(H5Screate(H5S_SCALAR), "scalar dataspace") }
        let sizes = dims.map { hsize_t($0) }
        return try H5Library.check(H5Screate_simple(Int32(dims.count), sizes, nil), "dataspace \(dims)")
    }

    static func dims(of space: hid_t) -> [Int] {
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank > 0 else { return [] }
        var sizes = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &sizes, nil)
        return sizes.map { Int(clamping: $0) }
    }

    /// The number of elements of `dims`, checked before anything is allocated for them:
    /// in a damaged file a dimension can read as 2^40, and the product overflow or the
    /// allocation would stop the process. More bytes than the machine's memory means the
    /// file is damaged (repro writes nothing that large).
    static func elementCount(_ dims: [Int], elementSize: Int, of what: String) throws -> Int {
        var count = 1
        for size in dims + [elementSize] {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard size >= 0, !overflow else {
                throw H5Error("\(what) declares the shape \(dims), too large to exist: the file is damaged")
            }
            count = product
        }
        guard UInt64(count) <= ProcessInfo.processInfo.physicalMemory else {
            throw H5Error(
                "\(what) declares the shape \(dims) (\(count) bytes), more than this machine's memory: the file is "
                    + "damaged"
            )
        }
        return count / max(elementSize, 1)
    }
}
