import Foundation
import Support

#if canImport(Glibc)
    import Glibc
#endif

/// SHA-256 of files remembered by (size, mtime, inode), so that `repro all` and
/// `repro status` on an up-to-date pipeline only `stat` its inputs and outputs. Store
/// entries are read-only and never rewritten in place, so a changed stat means changed
/// bytes; `repro verify` and the reads that feed a running stage hash in full anyway.
/// A side record in the cache, never committed; losing it only costs re-hashing.
final class HashCache: @unchecked Sendable {
    private struct Entry: Equatable {
        let size: Int64
        let mtime: Int64
        let inode: UInt64
        let sha256: String
    }

    private let file: URL
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var dirty = false

    init(file: URL) {
        self.file = file
        guard let data = FileManager.default.contents(atPath: file.path),
            let json = try? JSONParser.parse(data), let object = json.objectValue
        else { return }
        for (path, value) in object {
            guard let size = value["size"]?.intValue, let mtime = value["mtime"]?.intValue,
                let inode = value["inode"]?.intValue, let sha = value["sha256"]?.stringValue
            else { continue }
            entries[path] = Entry(
                size: Int64(size), mtime: Int64(mtime), inode: UInt64(bitPattern: Int64(inode)), sha256: sha)
        }
    }

    /// The file's SHA-256, hashing it only when its stat changed; nil if it does not exist.
    func sha256(_ url: URL) throws -> String? {
        guard let stat = Self.fileStat(url) else { return nil }
        if let known = lock.withLock({ entries[url.path] }), known.size == stat.size, known.mtime == stat.mtime,
            known.inode == stat.inode
        {
            return known.sha256
        }
        let sha = try FileDigest.sha256(url)
        remember(url, sha256: sha)
        return sha
    }

    /// Records a hash just computed elsewhere (a file just put into the store).
    func remember(_ url: URL, sha256: String) {
        guard let stat = Self.fileStat(url) else { return }
        lock.withLock {
            let entry = Entry(size: stat.size, mtime: stat.mtime, inode: stat.inode, sha256: sha256)
            if entries[url.path] != entry {
                entries[url.path] = entry
                dirty = true
            }
        }
    }

    func forget(_ urls: [URL]) {
        lock.withLock {
            for url in urls where entries.removeValue(forKey: url.path) != nil { dirty = true }
        }
    }

    /// Writes the record if it changed; concurrent writers replace each other whole.
    func save() {
        let json: JSONValue? = lock.withLock {
            guard dirty else { return nil }
            dirty = false
            return .object(
                entries.mapValues {
                    .object([
                        "size": .int(Int($0.size)), "mtime": .int(Int($0.mtime)),
                        "inode": .int(Int(Int64(bitPattern: $0.inode))), "sha256": .string($0.sha256),
                    ])
                })
        }
        if let json { try? AtomicFile.write(Data(json.canonical.utf8), to: file) }
    }

    static func fileStat(_ url: URL) -> (size: Int64, mtime: Int64, inode: UInt64)? {
        var info = Glibc.stat()
        guard fstatat(AT_FDCWD, url.path, &info, 0) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let mtime = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        return (Int64(info.st_size), mtime, UInt64(info.st_ino))
    }
}
