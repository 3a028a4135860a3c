import Foundation
import Support

#if canImport(Glibc)
    import Glibc
#endif

/// The content-addressed store (`artifacts/cache/`): one immutable file per SHA-256 of its
/// bytes, at `objects/<first two hex digits>/<hex>`. Entries are published atomically
/// (temporary file on the same filesystem, fsync, rename, fsync of the directory) and
/// verified when read: a corrupted entry is moved to `quarantine/` and never returned.
public struct ContentStore: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root
    }

    var objects: URL { root.appendingPathComponent("objects") }
    var temporary: URL { root.appendingPathComponent("tmp") }
    var quarantine: URL { root.appendingPathComponent("quarantine") }

    /// Where the entry for `digest` lives (whether or not it exists).
    public func path(_ digest: String) -> URL {
        objects.appendingPathComponent(String(digest.prefix(2))).appendingPathComponent(digest)
    }

    public func contains(_ digest: String) -> Bool {
        FileManager.default.fileExists(atPath: path(digest).path)
    }

    /// A fresh temporary file location inside the store, for writers that want to
    /// produce a file in place and then `put(consuming:)` it without a copy.
    public func temporaryFile(_ hint: String = "entry") throws -> URL {
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        return temporary.appendingPathComponent("\(hint).\(getpid()).\(UUID().uuidString)")
    }

    /// Stores bytes; returns their SHA-256.
    @discardableResult
    public func put(_ data: Data) throws -> String {
        let file = try temporaryFile("bytes")
        try data.write(to: file)
        return try put(consuming: file)
    }

    /// Stores a copy of the file at `url`; returns its SHA-256.
    @discardableResult
    public func put(copying url: URL) throws -> String {
        let file = try temporaryFile(url.lastPathComponent)
        do {
            try FileManager.default.copyItem(at: url, to: file)
        } catch {
            throw StoreError.io("cannot copy \(url.path) into the store: \(error.localizedDescription)")
        }
        return try put(consuming: file)
    }

    /// Moves the file at `url` into the store (it must be on the same filesystem, e.g. from
    /// `temporaryFile`); returns its SHA-256. The source name is gone afterwards.
    @discardableResult
    public func put(consuming url: URL) throws -> String {
        let digest = try FileDigest.sha256(url)
        try publish(url, as: digest)
        return digest
    }

    /// Moves the file at `url` into the store only if its bytes hash to `expected` (a blob
    /// from elsewhere, checked against its name); otherwise removes it and throws
    /// `.damaged` with the hash its bytes have. Nothing enters the store either way but
    /// complete, verified bytes.
    public func put(consuming url: URL, expecting expected: String) throws {
        let actual: String
        do {
            actual = try FileDigest.sha256(url)
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        guard actual == expected else {
            try? FileManager.default.removeItem(at: url)
            throw StoreError.damaged(digest: expected, actual: actual)
        }
        try publish(url, as: expected)
    }

    private func publish(_ url: URL, as digest: String) throws {
        let target = path(digest)
        if FileManager.default.fileExists(atPath: target.path) {
            if (try? FileDigest.sha256(target)) == digest {
                try? FileManager.default.removeItem(at: url)
                return
            }
            try moveToQuarantine(digest)
        }
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.syncFile(url)
        chmod(url.path, 0o444)
        try AtomicFile.publish(url, as: target)
    }

    /// The verified path of an entry. A corrupted entry is quarantined and reported.
    public func get(_ digest: String) throws -> URL {
        let target = path(digest)
        guard FileManager.default.fileExists(atPath: target.path) else { throw StoreError.missing(digest) }
        let actual = try FileDigest.sha256(target)
        guard actual == digest else {
            try moveToQuarantine(digest)
            throw StoreError.corrupted(digest: digest, actual: actual)
        }
        return target
    }

    /// True when the entry exists and its bytes hash to its name; quarantines it otherwise.
    public func verify(_ digest: String) -> Bool {
        (try? get(digest)) != nil
    }

    /// Every digest in the store, sorted.
    public func digests() -> [String] {
        let fm = FileManager.default
        let prefixes = (try? fm.contentsOfDirectory(atPath: objects.path)) ?? []
        return prefixes.flatMap { prefix in
            ((try? fm.contentsOfDirectory(atPath: objects.appendingPathComponent(prefix).path)) ?? [])
                .filter { !$0.hasPrefix(".") }
        }.sorted()
    }

    public func size(_ digest: String) -> Int64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path(digest).path)
        return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
    }

    public func remove(_ digest: String) throws {
        let target = path(digest)
        if FileManager.default.fileExists(atPath: target.path) {
            try FileManager.default.removeItem(at: target)
        }
    }

    /// Temporary files whose writer is gone (left by a killed process). Files of live
    /// processes are kept: their pid is part of the name.
    public func abandonedTemporaryFiles() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        return names.compactMap { name in
            let parts = name.split(separator: ".")
            guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]) else { return nil }
            let alive = kill(pid, 0) == 0 || errno == EPERM
            return alive ? nil : temporary.appendingPathComponent(name)
        }
    }

    private func moveToQuarantine(_ digest: String) throws {
        try FileManager.default.createDirectory(at: quarantine, withIntermediateDirectories: true)
        let destination = quarantine.appendingPathComponent("\(digest).\(getpid()).\(UUID().uuidString)")
        guard rename(path(digest).path, destination.path) == 0 || errno == ENOENT else {
            throw FileError("cannot quarantine \(digest)")
        }
    }
}

/// What can go wrong in the store, each with a message that says what to do.
public enum StoreError: ClassifiedError, CustomStringConvertible, Equatable {
    case missing(String)
    case corrupted(digest: String, actual: String)
    /// Bytes from elsewhere (a remote) that do not hash to the name they came under.
    case damaged(digest: String, actual: String)
    case io(String)

    /// The store's own state, never the user's input: rerunning repairs it (exit 1).
    public var isBadInput: Bool { false }

    public var description: String {
        switch self {
        case .missing(let digest):
            return "cache entry \(digest) is missing; rerun the stage that produces it"
        case .corrupted(let digest, let actual):
            return
                "cache entry \(digest) is corrupted (its bytes hash to \(actual)); it was moved to quarantine, rerun "
                + "the stage that produces it"
        case .damaged(let digest, let actual):
            return "blob \(digest) is damaged (its bytes hash to \(actual)); nothing was stored"
        case .io(let message):
            return message
        }
    }
}
