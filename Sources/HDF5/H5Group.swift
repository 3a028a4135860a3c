import CHDF5
import Foundation

/// A group: named children (groups and datasets) plus attributes.
/// Paths may contain `/` to reach nested children.
public class H5Group: H5Object {
    init(id: hid_t, path: String) {
        super.init(id: id, path: path, closer: H5Gclose)
    }

    func childPath(_ name: String) -> String {
        path == "/" ? "/" + name : path + "/" + name
    }

    // MARK: navigation

    /// Whether a child exists at `name` (a relative path, intermediate groups included).
    public func contains(_ name: String) -> Bool {
        H5Library.locked {
            var prefix = ""
            for component in name.split(separator: "/") {
                prefix += prefix.isEmpty ? String(component) : "/" + component
                if H5Lexists(id, prefix, H5Constants.propertyDefault) <= 0 { return false }
            }
            return !prefix.isEmpty
        }
    }

    /// Names of the direct children, in name order.
    public var childNames: [String] {
        H5Library.locked {
            final class Box { var names: [String] = [] }
            let box = Box()
            var index: hsize_t = 0
            H5Literate(
                id, H5_INDEX_NAME, H5_ITER_INC, &index,
                { _, name, _, data in
                    guard let name, let data else { return 0 }
                    Unmanaged<Box>.fromOpaque(data).takeUnretainedValue().names.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(box).toOpaque())
            return box.names
        }
    }

    public func isGroup(_ name: String) -> Bool {
        H5Library.locked {
            guard contains(name) else { return false }
            let object = H5Oopen(id, name, H5Constants.propertyDefault)
            guard object >= 0 else { return false }
            defer { H5Oclose(object) }
            return H5Iget_type(object) == H5I_GROUP
        }
    }

    public func createGroup(_ name: String) throws -> H5Group {
        try H5Library.locked {
            let plist = try H5Library.check(H5Pcreate(H5Constants.groupCreate), "group property list")
            defer { H5Pclose(plist) }
            H5Pset_obj_track_times(plist, false)
            let group = try H5Library.check(
                H5Gcreate2(id, name, H5Constants.propertyDefault, plist, H5Constants.propertyDefault),
                "create group \(childPath(name))")
            return H5Group(id: group, path: childPath(name))
        }
    }

    public func openGroup(_ name: String) throws -> H5Group {
        try H5Library.locked {
            guard contains(name) else { throw H5Error("no group \(childPath(name))") }
            let group = try H5Library.check(
                H5Gopen2(id, name, H5Constants.propertyDefault), "open group \(childPath(name))")
            return H5Group(id: group, path: childPath(name))
        }
    }

    /// The group at `name`, created if missing.
    public func group(_ name: String) throws -> H5Group {
        contains(name) ? try openGroup(name) : try createGroup(name)
    }

    // MARK: datasets

    public func openDataset(_ name: String) throws -> H5Dataset {
        try H5Library.locked {
            guard contains(name) else { throw H5Error("missing dataset \(childPath(name))") }
            let dataset = try H5Library.check(
                H5Dopen2(id, name, H5Constants.propertyDefault), "open dataset \(childPath(name))")
            return H5Dataset(id: dataset, path: childPath(name))
        }
    }

    /// Writes a new dataset. Rank 0 (`shape == []`) and empty datasets are contiguous;
    /// everything else is chunked (`H5Dataset.chunkShape`) and filtered as `compression` says.
    @discardableResult
    public func write<T: H5Element>(
        _ name: String, _ values: [T], shape: [Int],
        compression: H5Compression = .standard
    ) throws -> H5Dataset {
        guard shape.reduce(1, *) == values.count else {
            throw H5Error("dataset \(childPath(name)): shape \(shape) does not hold \(values.count) values")
        }
        return try H5Library.locked {
            let space = try H5Dataspace.create(shape)
            defer { H5Sclose(space) }
            let plist = try H5Dataset.creationList(
                shape: shape, elementSize: MemoryLayout<T>.size, compression: compression)
            defer { H5Pclose(plist) }
            let dataset = try H5Library.check(
                H5Dcreate2(id, name, T.h5Type, space, H5Constants.propertyDefault, plist, H5Constants.propertyDefault),
                "create dataset \(childPath(name))")
            let result = H5Dataset(id: dataset, path: childPath(name))
            if !values.isEmpty {
                _ = try values.withUnsafeBytes { raw in
                    try H5Library.check(
                        H5Dwrite(
                            dataset, T.h5Type, H5Constants.selectAll, H5Constants.selectAll,
                            H5Constants.propertyDefault, raw.baseAddress),
                        "write dataset \(childPath(name))")
                }
            }
            return result
        }
    }

    /// Convenience: a one-dimensional dataset.
    @discardableResult
    public func write<T: H5Element>(
        _ name: String, _ values: [T], compression: H5Compression = .standard
    ) throws -> H5Dataset {
        try write(name, values, shape: [values.count], compression: compression)
    }

    public func read<T: H5Element>(_ name: String, as: T.Type = T.self) throws -> H5Array<T> {
        try openDataset(name).read()
    }

    /// A one-dimensional dataset of UTF-8 strings (variable length, as h5py writes `str`).
    public func writeStrings(_ name: String, _ strings: [String]) throws {
        try H5Library.locked {
            let type = try H5Dataset.variableStringType()
            defer { H5Tclose(type) }
            let space = try H5Dataspace.create([strings.count])
            defer { H5Sclose(space) }
            let plist = try H5Dataset.creationList(shape: [], elementSize: 0, compression: .none)
            defer { H5Pclose(plist) }
            let dataset = try H5Library.check(
                H5Dcreate2(id, name, type, space, H5Constants.propertyDefault, plist, H5Constants.propertyDefault),
                "create dataset \(childPath(name))")
            defer { H5Dclose(dataset) }
            let cStrings = strings.map { strdup($0) }
            defer { cStrings.forEach { free($0) } }
            var pointers = cStrings.map { UnsafePointer($0) }
            try H5Library.check(
                H5Dwrite(
                    dataset, type, H5Constants.selectAll, H5Constants.selectAll, H5Constants.propertyDefault,
                    &pointers),
                "write dataset \(childPath(name))")
        }
    }

    public func readStrings(_ name: String) throws -> [String] {
        try openDataset(name).readStrings()
    }
}
