import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Nix's rule, "valid only after success": a file appears under its final name complete
/// or not at all. Write to a temporary name in the same directory, fsync it, rename it
/// over the target, then fsync the directory so the rename itself survives a crash.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot create \(temporary.path): \(errnoText())") }
        do {
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw StoreError.io("cannot write \(temporary.path): \(errnoText())")
                    }
                    offset += n
                }
            }
            try sync(fd, temporary)
            close(fd)
            try publish(temporary, as: url)
        } catch {
            close(fd)
            unlink(temporary.path)
            throw error
        }
    }

    /// Renames a complete, synced file into place and syncs the directory.
    public static func publish(_ temporary: URL, as url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            throw StoreError.io("cannot rename \(temporary.path) to \(url.path): \(errnoText())")
        }
        try syncDirectory(url.deletingLastPathComponent())
    }

    /// fsync of an existing file by path.
    public static func syncFile(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("cannot open \(url.path): \(errnoText())") }
        defer { close(fd) }
        try sync(fd, url)
    }

    public static func syncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.io("cannot open directory \(url.path): \(errnoText())") }
        defer { close(fd) }
        try sync(fd, url)
    }

    private static func sync(_ fd: Int32, _ url: URL) throws {
        guard fsync(fd) == 0 else { throw StoreError.io("cannot fsync \(url.path): \(errnoText())") }
    }
}
