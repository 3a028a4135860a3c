import CHDF5
import Foundation

/// An open dataset: its shape, its filters, and its values.
public final class H5Dataset: H5Object {
    /// Bytes a chunk holds at most; with the shape this fixes the chunk layout, so
    /// the same array is always stored the same way (byte-deterministic files).
    public static let chunkBytes = 1 << 20

    init(id: hid_t, path: String) {
        super.init(id: id, path: path, closer: H5Dclose)
    }

    public var shape: [Int] {
        H5Library.locked {
            let space = H5Dget_space(id)
            defer { H5Sclose(space) }
            return H5Dataspace.dims(of: space)
        }
    }

    /// Whether the dataset's chunks go through the Zstandard filter.
    public var isZstdCompressed: Bool {
        H5Library.locked {
            let plist = H5Dget_create_plist(id)
            defer { H5Pclose(plist) }
            return H5Pget_filter_by_id2(plist, ZstdFilter.id, nil, nil, nil, 0, nil, nil) >= 0
        }
    }

    public func read<T: H5Element>(as: T.Type = T.self) throws -> H5Array<T> {
        try H5Library.locked {
            let dims = shape
            let count = try H5Dataspace.elementCount(dims, elementSize: MemoryLayout<T>.stride, of: "dataset \(path)")
            var values = [T](repeating: 0, count: count)
            if !values.isEmpty {
                _ = try values.withUnsafeMutableBytes { raw in
                    try H5Library.check(
                        H5Dread(
                            id, T.h5Type, H5Constants.selectAll, H5Constants.selectAll, H5Constants.propertyDefault,
                            raw.baseAddress),
                        "read dataset \(path) as \(T.self)")
                }
            }
            return H5Array(shape: dims, values: values)
        }
    }

    public func readStrings() throws -> [String] {
        try H5Library.locked {
            let fileType = H5Dget_type(id)
            defer { H5Tclose(fileType) }
            let count = try H5Dataspace.elementCount(
                shape, elementSize: max(Int(clamping: H5Tget_size(fileType)), 1), of: "dataset \(path)")
            guard H5Tget_class(fileType) == H5T_STRING else { throw H5Error("dataset \(path) does not hold strings") }
            if H5Tis_variable_str(fileType) > 0 {
                let type = try H5Dataset.variableStringType()
                defer { H5Tclose(type) }
                var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
                try H5Library.check(
                    H5Dread(
                        id, type, H5Constants.selectAll, H5Constants.selectAll, H5Constants.propertyDefault, &pointers),
                    "read strings \(path)")
                defer { pointers.forEach { if let p = $0 { H5free_memory(p) } } }
                return pointers.map { $0.map { String(cString: $0) } ?? "" }
            }
            let size = H5Tget_size(fileType)
            var bytes = [UInt8](repeating: 0, count: size * count)
            try H5Library.check(
                H5Dread(
                    id, fileType, H5Constants.selectAll, H5Constants.selectAll, H5Constants.propertyDefault, &bytes),
                "read strings \(path)")
            return (0..<count).map { i in
                String(decoding: bytes[i * size..<(i + 1) * size].prefix { $0 != 0 }, as: UTF8.self)
            }
        }
    }

    // MARK: creation

    static func variableStringType() throws -> hid_t {
        let type = try H5Library.check(H5Tcopy(H5T_C_S1_g), "string type")
        H5Tset_size(type, H5Constants.variableLength)
        H5Tset_cset(type, H5T_CSET_UTF8)
        return type
    }

    /// The chunk shape for an array: the whole array, with leading dimensions halved
    /// (left to right) until a chunk holds at most `chunkBytes`.
    public static func chunkShape(for shape: [Int], elementSize: Int) -> [Int] {
        var chunk = shape.map { max($0, 1) }
        var axis = 0
        while chunk.reduce(elementSize, *) > chunkBytes && axis < chunk.count {
            if chunk[axis] > 1 { chunk[axis] = (chunk[axis] + 1) / 2 } else { axis += 1 }
        }
        return chunk
    }

    /// A creation property list with time tracking off, and chunking plus the filter
    /// for non-empty arrays of rank one or more.
    static func creationList(shape: [Int], elementSize: Int, compression: H5Compression) throws -> hid_t {
        let plist = try H5Library.check(H5Pcreate(H5Constants.datasetCreate), "dataset property list")
        H5Pset_obj_track_times(plist, false)
        guard !shape.isEmpty, !shape.contains(0) else { return plist }
        let chunk = chunkShape(for: shape, elementSize: elementSize).map { hsize_t($0) }
        try H5Library.check(H5Pset_chunk(plist, Int32(chunk.count), chunk), "chunk \(chunk)")
        if case .zstd(let level) = compression {
            var values = [level]
            try H5Library.check(
                H5Pset_filter(plist, ZstdFilter.id, H5Constants.filterOptional, 1, &values), "zstd filter")
        }
        return plist
    }
}
