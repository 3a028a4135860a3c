import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on a file (`flock`), exclusive or shared. The kernel releases it when
/// the descriptor closes or the process dies, so a crash never leaves a stale lock
/// behind. Acquiring waits for the holder instead of failing (`tryLock` does not wait).
/// The lock file itself is never removed: removing it would let two processes lock two
/// different inodes of the same name.
public final class FileLock {
    public enum Mode {
        /// One holder: writers of the same file or stage; `repro gc`.
        case exclusive
        /// Any number of holders, while nobody holds it exclusively: runs that may add
        /// cache entries no lock names yet, against `gc`.
        case shared

        var operation: Int32 { self == .exclusive ? LOCK_EX : LOCK_SH }
    }

    private let descriptor: Int32
    public let url: URL

    /// Blocks until the lock at `url` is ours.
    public init(_ url: URL, _ mode: Mode = .exclusive) throws {
        let fd = try FileLock.open(url)
        while flock(fd, mode.operation) != 0 {
            if errno == EINTR { continue }
            let error = FileError("cannot lock \(url.path)")
            close(fd)
            throw error
        }
        self.descriptor = fd
        self.url = url
    }

    /// Takes the lock only if nobody holds it in a conflicting mode; nil otherwise.
    public static func tryLock(_ url: URL, _ mode: Mode = .exclusive) throws -> FileLock? {
        let fd = try open(url)
        if flock(fd, mode.operation | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return FileLock(descriptor: fd, url: url)
    }

    /// Runs `body` holding the lock; it is released when `body` returns or throws.
    public static func holding<R>(_ url: URL, _ mode: Mode = .exclusive, _ body: () throws -> R) throws -> R {
        let lock = try FileLock(url, mode)
        return try withExtendedLifetime(lock) { try body() }
    }

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
        self.url = url
    }

    private static func open(_ url: URL) throws -> Int32 {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = Glibc.open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError("cannot open lock file \(url.path)") }
        return fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
