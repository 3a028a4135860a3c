import CHDF5
import Foundation

/// An HDF5 file. Files repro creates are byte-deterministic: no object times (on the
/// file-creation list too: the root group carries times), fixed library-version bounds
/// (1.8 format both ways), and chunk shapes and compression fixed by the content.
public final class H5File {
    let id: hid_t
    public let url: URL
    /// The root group `/`.
    public let root: H5Group
    private var isOpen = true

    private init(id: hid_t, url: URL) throws {
        self.id = id
        self.url = url
        let rootID = try H5Library.check(H5Gopen2(id, "/", H5Constants.propertyDefault), "open / in \(url.path)")
        self.root = H5Group(id: rootID, path: "/")
    }

    /// Creates (or truncates) a file.
    public static func create(_ url: URL) throws -> H5File {
        try H5Library.locked {
            let fcpl = try H5Library.check(H5Pcreate(H5Constants.fileCreate), "file creation list")
            defer { H5Pclose(fcpl) }
            H5Pset_obj_track_times(fcpl, false)
            let fapl = try accessList()
            defer { H5Pclose(fapl) }
            let id = try H5Library.check(
                H5Fcreate(url.path, H5Constants.accessTruncate, fcpl, fapl), "create \(url.path)")
            return try H5File(id: id, url: url)
        }
    }

    /// Opens an existing file, read-only unless `writable`.
    public static func open(_ url: URL, writable: Bool = false) throws -> H5File {
        try H5Library.locked {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw H5Error("no such file: \(url.path)")
            }
            let fapl = try accessList()
            defer { H5Pclose(fapl) }
            let mode = writable ? H5Constants.accessReadWrite : H5Constants.accessReadOnly
            let id = try H5Library.check(
                H5Fopen(url.path, mode, fapl), "open \(url.path) (not an HDF5 file, or damaged)")
            return try H5File(id: id, url: url)
        }
    }

    private static func accessList() throws -> hid_t {
        let fapl = try H5Library.check(H5Pcreate(H5Constants.fileAccess), "file access list")
        try H5Library.check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V18), "library version bounds")
        // Closing the file closes every object still open in it, so `close()` really
        // finishes the file (identifiers are never reused, so a later close is harmless).
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG)
        return fapl
    }

    /// Flushes and closes the file. Objects opened from it must not be used afterwards.
    public func close() throws {
        guard isOpen else { return }
        isOpen = false
        try H5Library.locked {
            try H5Library.check(H5Fflush(id, H5F_SCOPE_GLOBAL), "flush \(url.path)")
            try H5Library.check(H5Fclose(id), "close \(url.path)")
        }
    }

    deinit {
        if isOpen { H5Library.locked { _ = H5Fclose(id) } }
    }
}

extension H5File {
    /// Creates a file, lets `body` fill it and closes it. On error the partial file is removed.
    public static func write(_ url: URL, _ body: (H5Group) throws -> Void) throws {
        do {
            let file = try create(url)
            try body(file.root)
            try file.close()
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }

    /// Opens a file read-only and passes its root group to `body`.
    public static func read<R>(_ url: URL, _ body: (H5Group) throws -> R) throws -> R {
        let file = try open(url)
        defer { try? file.close() }
        return try body(file.root)
    }
}
