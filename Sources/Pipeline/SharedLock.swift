import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A shared flock: every run holds it on `cache/locks/gc.flock` while it may add entries
/// that no lock file names yet; `repro gc` takes it exclusively (`FileLock`) and so
/// never removes what a live run has just stored. The kernel drops it when the process dies.
final class SharedLock {
    private let descriptor: Int32

    init(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.io("cannot open lock file \(url.path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_SH) != 0 {
            if errno == EINTR { continue }
            close(fd)
            throw StoreError.io("cannot lock \(url.path): \(String(cString: strerror(errno)))")
        }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
