import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Nix's rule, "valid only after success": a file appears under its final name complete
/// or not at all. Write to a temporary name in the same directory, fsync it, rename it
/// over the target, then fsync the directory so the rename itself survives a crash.
/// Every step's failure is an error naming the file (the fsync's too: a write the disk
/// refused late shows up there).
public enum AtomicFile {
    /// Lets `body` write the whole content to the temporary URL it is given (in the
    /// target's directory), then publishes it as `url`. When `body` or any step throws,
    /// the temporary file is removed and `url` is left as it was.
    public static func write(to url: URL, _ body: (URL) throws -> Void) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        do {
            try body(temporary)
            try syncFile(temporary)
            try publish(temporary, as: url)
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// Publishes `data` as `url`.
    public static func write(_ data: Data, to url: URL) throws {
        try write(to: url) { temporary in
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw FileError("cannot create \(temporary.path)") }
            defer { close(fd) }
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw FileError("cannot write \(temporary.path)")
                    }
                    offset += n
                }
            }
        }
    }

    /// Renames a complete, synced file into place and syncs the directory.
    public static func publish(_ temporary: URL, as url: URL) throws {
        guard rename(temporary.path, url.path) == 0 else {
            throw FileError("cannot rename \(temporary.path) to \(url.path)")
        }
        try syncDirectory(url.deletingLastPathComponent())
    }

    /// fsync of an existing file by path.
    public static func syncFile(_ url: URL) throws {
        try sync(url, flags: O_RDONLY | O_CLOEXEC, what: "")
    }

    public static func syncDirectory(_ url: URL) throws {
        try sync(url, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC, what: "directory ")
    }

    private static func sync(_ url: URL, flags: Int32, what: String) throws {
        let fd = open(url.path, flags)
        guard fd >= 0 else { throw FileError("cannot open \(what)\(url.path)") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileError("cannot fsync \(what)\(url.path)") }
    }
}
