import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a file (`flock`). The kernel releases it when the
/// descriptor closes or the process dies, so a crash never leaves a stale lock behind.
/// Acquiring waits for the holder instead of failing.
public final class FileLock {
    private let descriptor: Int32
    public let url: URL

    /// Blocks until the lock at `url` is ours. The lock file itself is never removed:
    /// removing it would let two processes lock two different inodes of the same name.
    public init(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot open lock file \(url.path): \(errnoText())") }
        while flock(fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let message = errnoText()
            close(fd)
            throw StoreError.io("cannot lock \(url.path): \(message)")
        }
        self.descriptor = fd
        self.url = url
    }

    /// Takes the lock only if nobody holds it; nil when it is held elsewhere.
    public static func tryLock(_ url: URL) throws -> FileLock? {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot open lock file \(url.path): \(errnoText())") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            return nil
        }
        return FileLock(descriptor: fd, url: url)
    }

    private init(descriptor: Int32, url: URL) {
        self.descriptor = descriptor
        self.url = url
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

func errnoText() -> String {
    String(cString: strerror(errno))
}
