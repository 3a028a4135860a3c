import Foundation
import Support

/// `repro gc`: removes store entries and run records that no `artifacts/*.lock` refers
/// to, quarantined entries, temporary files of dead processes and scratch caches of
/// finished `verify` runs. Waits for running repro processes (they hold the gc flock
/// shared), so an entry stored a moment before its lock entry is never lost.
public struct GarbageCollector {
    public struct Report: Sendable {
        public let removed: [URL]
        public let bytes: Int64

        public var text: String {
            removed.isEmpty
                ? "nothing to remove" : "\(removed.count) item\(removed.count == 1 ? "" : "s"), \(bytes) bytes"
        }
    }

    public let artifacts: Artifacts

    public init(artifacts: Artifacts) {
        self.artifacts = artifacts
    }

    /// What `collect` would remove (nothing is removed).
    public func candidates() throws -> [URL] {
        var referenced = Set<String>()
        var keys = Set<String>()
        for url in artifacts.profileLocks() {
            let lock = try LockFile.read(url)
            for record in lock.stages.values {
                keys.insert(record.key)
                record.outputs.values.forEach { referenced.insert($0.sha256) }
            }
        }
        let fm = FileManager.default
        var garbage = artifacts.store.digests().filter { !referenced.contains($0) }.map { artifacts.store.path($0) }
        let runs = (try? fm.contentsOfDirectory(atPath: artifacts.runs.path)) ?? []
        garbage += runs.filter { !keys.contains(String($0.dropLast(".json".count))) }.sorted().map {
            artifacts.runs.appendingPathComponent($0)
        }
        garbage += artifacts.store.abandonedTemporaryFiles()
        let quarantine = artifacts.store.root.appendingPathComponent("quarantine")
        garbage += ((try? fm.contentsOfDirectory(atPath: quarantine.path)) ?? []).sorted().map {
            quarantine.appendingPathComponent($0)
        }
        for name in ((try? fm.contentsOfDirectory(atPath: artifacts.root.path)) ?? []).sorted()
        where name.hasPrefix("scratch-verify-") {
            if let pid = Int32(name.dropFirst("scratch-verify-".count)), kill(pid, 0) != 0 && errno != EPERM {
                garbage.append(artifacts.root.appendingPathComponent(name))
            }
        }
        return garbage
    }

    /// Removes the candidates; with `dryRun` only lists them.
    public func collect(dryRun: Bool) throws -> Report {
        try FileLock.holding(artifacts.locks.appendingPathComponent("gc.flock")) { try collectHolding(dryRun: dryRun) }
    }

    /// `collect` with gc's exclusive lock held: no run is adding entries meanwhile.
    private func collectHolding(dryRun: Bool) throws -> Report {
        let garbage = try candidates()
        var bytes: Int64 = 0
        for url in garbage {
            bytes += size(url)
            if !dryRun { try FileManager.default.removeItem(at: url) }
        }
        if !dryRun {
            let hashes = HashCache(file: artifacts.hashes)
            hashes.forget(garbage)
            hashes.save()
        }
        return Report(removed: garbage, bytes: bytes)
    }

    private func size(_ url: URL) -> Int64 {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return 0 }
        if !isDirectory.boolValue {
            return ((try? fm.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        let children = (try? fm.subpathsOfDirectory(atPath: url.path)) ?? []
        return children.reduce(0) {
            $0
                + (((try? fm.attributesOfItem(atPath: url.appendingPathComponent($1).path))?[.size] as? NSNumber)?
                    .int64Value ?? 0)
        }
    }
}
