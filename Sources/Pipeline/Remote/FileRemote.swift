import Foundation
import Support

/// A remote cache in a directory (`file:///path`, a shared filesystem): `cas/` and `ac/`
/// under it. Every write is an atomic publish (temporary file in the target's
/// directory, fsync, rename), so concurrent pushes each leave a complete file.
struct FileRemote: RemoteCache {
    let root: URL
    let url: RemoteURL

    var description: String { url.description }

    private func file(_ path: RemotePath) -> URL { root.appendingPathComponent(path.relative) }

    func contains(_ path: RemotePath) throws -> Bool {
        FileManager.default.fileExists(atPath: file(path).path)
    }

    func fetch(_ path: RemotePath, to destination: URL, progress: @escaping (Int64) -> Void) throws -> Bool {
        let source = file(path)
        guard FileManager.default.fileExists(atPath: source.path) else { return false }
        try copy(source, to: destination, progress: progress)
        return true
    }

    func store(_ source: URL, at path: RemotePath, progress: @escaping (Int64) -> Void) throws {
        try AtomicFile.write(to: file(path)) { temporary in try copy(source, to: temporary, progress: progress) }
    }

    /// Copies in pieces of at most 1 MiB, reporting each.
    private func copy(_ source: URL, to destination: URL, progress: (Int64) -> Void) throws {
        guard FileManager.default.createFile(atPath: destination.path, contents: nil),
            let output = FileHandle(forWritingAtPath: destination.path)
        else { throw FileError("cannot create \(destination.path)") }
        defer { try? output.close() }
        var written: Int64 = 0
        var failure: Error?
        try FileDigest.read(source) { piece in
            guard failure == nil else { return }
            do {
                try output.write(contentsOf: Data(piece))
            } catch {
                failure = FileError("cannot write \(destination.path): \(error.localizedDescription)")
                return
            }
            written += Int64(piece.count)
            progress(written)
        }
        if let failure { throw failure }
    }
}
