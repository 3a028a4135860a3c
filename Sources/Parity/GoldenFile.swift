import Foundation
import HDF5
import Support

/// A golden HDF5 file opened for reading, plus the companion files its `companion_files`
/// attribute lists (read from the same folder): every dataset path is looked up in
/// whichever of them holds it (golden/README.md, ResNeXt section).
final class GoldenFile {
    let name: String
    let root: H5Group
    private var files: [H5File] = []
    private var groups: [H5Group] = []

    init(_ url: URL) throws {
        name = url.lastPathComponent
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ParityError.unreadable(file: url.path, detail: "no such file")
        }
        do {
            let main = try H5File.open(url)
            files = [main]
            root = main.root
            groups = [main.root]
            if root.hasAttribute("companion_files") {
                let list = try root.stringAttribute("companion_files")
                guard let names = try? JSONValue.decode([String].self, from: Data(list.utf8)) else {
                    throw ParityError.badAttribute(
                        file: name, name: "companion_files", detail: "not a JSON list of names")
                }
                for companion in names {
                    let companionURL = url.deletingLastPathComponent().appendingPathComponent(companion)
                    guard FileManager.default.fileExists(atPath: companionURL.path) else {
                        throw ParityError.unreadable(file: companionURL.path, detail: "companion of \(name) not found")
                    }
                    let file = try H5File.open(companionURL)
                    files.append(file)
                    groups.append(file.root)
                }
            }
        } catch let error as H5Error {
            throw ParityError.unreadable(file: url.path, detail: error.message)
        }
    }

    func close() { for file in files { try? file.close() } }

    func has(_ path: String) -> Bool { groups.contains { $0.contains(path) } }

    private func holder(_ path: String) throws -> H5Group {
        guard let group = groups.first(where: { $0.contains(path) }) else {
            throw ParityError.missingDataset(file: name, path: path)
        }
        return group
    }

    func floats(_ path: String) throws -> H5Array<Float> { try read(path) }
    func doubles(_ path: String) throws -> [Double] { try (read(path) as H5Array<Double>).values }
    func labels(_ path: String) throws -> [Int] { try (read(path) as H5Array<Int64>).values.map { Int($0) } }

    private func read<T: H5Element>(_ path: String) throws -> H5Array<T> {
        do {
            return try holder(path).read(path, as: T.self)
        } catch let error as H5Error {
            throw ParityError.unreadable(file: name, detail: "\(path): \(error.message)")
        }
    }

    // MARK: attributes of the root or a group

    func int(_ attribute: String, in group: H5Group? = nil, default value: Int? = nil) throws -> Int {
        try self.attribute(attribute, in: group, default: value) { try $0.intAttribute(attribute) }
    }

    func double(_ attribute: String, in group: H5Group? = nil, default value: Double? = nil) throws -> Double {
        try self.attribute(attribute, in: group, default: value) { try $0.doubleAttribute(attribute) }
    }

    /// An attribute of the group (or the root) read by `read`; `value` when it is missing, if given.
    private func attribute<T>(
        _ attribute: String, in group: H5Group?, default value: T?,
        _ read: (H5Group) throws -> T
    ) throws -> T {
        let owner = group ?? root
        guard owner.hasAttribute(attribute) else {
            if let value { return value }
            throw ParityError.badAttribute(file: name, name: "\(owner.path):\(attribute)", detail: "missing")
        }
        do { return try read(owner) } catch {
            throw ParityError.badAttribute(file: name, name: attribute, detail: "\(error)")
        }
    }

    func group(_ path: String) throws -> H5Group {
        do { return try root.openGroup(path) } catch {
            throw ParityError.missingDataset(file: name, path: path)
        }
    }
}
