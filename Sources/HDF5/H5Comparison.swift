import Foundation

/// The first difference between two HDF5 files, walking groups in name order: a missing
/// or extra object, an attribute, a dataset's shape or its first differing element
/// (`repro verify` names it for an HDF5 output that differs from the lock).
public enum H5Comparison {
    /// True when `url` starts with the HDF5 signature.
    public static func isHDF5(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        return handle.readData(ofLength: 8) == Data([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    /// A sentence naming the first differing object, or nil when every dataset and
    /// attribute matches (the bytes may still differ, e.g. in layout).
    public static func firstDifference(_ expected: URL, _ actual: URL) -> String? {
        do {
            return try H5File.read(expected) { a in
                try H5File.read(actual) { b in try compare(a, b) }
            }
        } catch {
            return "cannot compare as HDF5: \(error)"
        }
    }

    private static func compare(_ a: H5Group, _ b: H5Group) throws -> String? {
        if let difference = try compareAttributes(a, b) { return difference }
        let namesA = a.childNames.sorted(), namesB = b.childNames.sorted()
        if let missing = namesA.first(where: { !namesB.contains($0) }) { return "\(path(a, missing)) is missing" }
        if let extra = namesB.first(where: { !namesA.contains($0) }) { return "\(path(b, extra)) is new" }
        for name in namesA {
            if a.isGroup(name) != b.isGroup(name) {
                return "\(path(a, name)) is a group in one file and a dataset in the other"
            }
            if a.isGroup(name) {
                if let difference = try compare(try a.openGroup(name), try b.openGroup(name)) { return difference }
                continue
            }
            let da = try a.openDataset(name), db = try b.openDataset(name)
            if let difference = try compareAttributes(da, db) { return difference }
            if da.shape != db.shape { return "dataset \(da.path): shape \(da.shape) vs \(db.shape)" }
            if let difference = try compareValues(da, db) { return "dataset \(da.path): \(difference)" }
        }
        return nil
    }

    private static func compareValues(_ a: H5Dataset, _ b: H5Dataset) throws -> String? {
        if let va = try? a.read(as: Double.self).values, let vb = try? b.read(as: Double.self).values {
            guard let i = va.indices.first(where: { va[$0].bitPattern != vb[$0].bitPattern }) else { return nil }
            return "first difference at flat index \(i): \(va[i]) vs \(vb[i])"
        }
        let sa = try a.readStrings(), sb = try b.readStrings()
        guard let i = sa.indices.first(where: { sa[$0] != sb[$0] }) else { return nil }
        return "first difference at index \(i): \"\(sa[i])\" vs \"\(sb[i])\""
    }

    private static func compareAttributes(_ a: H5Object, _ b: H5Object) throws -> String? {
        let namesA = a.attributeNames.sorted(), namesB = b.attributeNames.sorted()
        if namesA != namesB { return "attributes of \(a.path): \(namesA) vs \(namesB)" }
        for name in namesA {
            if let sa = try? a.stringAttribute(name), let sb = try? b.stringAttribute(name) {
                if sa != sb { return "attribute \(name) of \(a.path): \"\(sa)\" vs \"\(sb)\"" }
            } else if let va = try? a.attribute(name, as: Double.self),
                let vb = try? b.attribute(name, as: Double.self),
                va.map(\.bitPattern) != vb.map(\.bitPattern)
            {
                return "attribute \(name) of \(a.path): \(va) vs \(vb)"
            }
        }
        return nil
    }

    private static func path(_ group: H5Group, _ name: String) -> String {
        group.path == "/" ? "/" + name : group.path + "/" + name
    }
}
