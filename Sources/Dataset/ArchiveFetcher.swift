import Foundation

/// An archive fetched into a temporary file and verified against the expected digests.
/// The caller moves `file` into the content store (or deletes it).
public struct FetchedArchive: Sendable {
    public let file: URL
    /// The source that delivered it (as written, or the override variable's value).
    public let source: String
    public let size: Int64
    public let digests: ArchiveDigests
}

/// Fetches an archive from the first source that works: http(s) URLs, `file:` URLs and
/// paths, tried in order. If the environment variable `overrideVariable` is set, its value
/// (a path or URL) is tried first. The bytes stream into a temporary file while MD5 and
/// SHA-256 are computed; a file that fails verification is deleted and the next source
/// is tried. When all fail, the error lists each source's problem and, if any source was
/// remote, how to point repro at an archive downloaded by hand.
public struct ArchiveFetcher {
    public var sources: [String]
    public var expected: ExpectedDigests
    /// Relative paths resolve against this directory (the directory of pipeline.yaml).
    public var baseDirectory: URL
    /// Where the temporary file is created: on the store's file system, so it can be renamed in.
    public var temporaryDirectory: URL
    public var environment: [String: String]
    public var overrideVariable: String?
    /// Seconds without any data before a download gives up.
    public var timeout: TimeInterval = 60
    /// Called at most ten times a second while bytes arrive, and once at the end of each
    /// source; from a background queue for http sources.
    public var progress: ((FetchProgress) -> Void)?
    /// A few plain lines for a log: which source is tried, which failed and why, the result.
    public var log: ((String) -> Void)?

    public init(
        sources: [String], expected: ExpectedDigests, baseDirectory: URL, temporaryDirectory: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrideVariable: String? = CIFAR100.archiveVariable,
        progress: ((FetchProgress) -> Void)? = nil, log: ((String) -> Void)? = nil
    ) {
        self.sources = sources
        self.expected = expected
        self.baseDirectory = baseDirectory
        self.temporaryDirectory = temporaryDirectory
        self.environment = environment
        self.overrideVariable = overrideVariable
        self.progress = progress
        self.log = log
    }

    /// The sources in the order they are tried (the override variable's value first).
    public var candidates: [String] {
        var list = sources
        if let name = overrideVariable, let value = environment[name], !value.isEmpty {
            list.insert(value, at: 0)
        }
        return list
    }

    public func fetch() throws -> FetchedArchive {
        let list = candidates
        guard !list.isEmpty else { throw DatasetError.badSource("", reason: "no URL or path given") }
        var failures: [DatasetError.SourceFailure] = []
        var remote = false
        for text in list {
            do {
                let source = try ArchiveSource(text, relativeTo: baseDirectory)
                remote = remote || source.isRemote
                log?("fetching \(source)")
                let started = DispatchTime.now().uptimeNanoseconds
                let archive = try fetch(source)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                log?(
                    String(
                        format: "fetched %@ (%lld bytes, %.1f s); md5 %@, sha256 %@",
                        "\(source)", archive.size, seconds, archive.digests.md5, archive.digests.sha256))
                return archive
            } catch let error as DatasetError {
                log?("failed: \(error)")
                failures.append(.init(source: text, error: error))
            }
        }
        throw DatasetError.allSourcesFailed(failures, remote: remote)
    }

    private func fetch(_ source: ArchiveSource) throws -> FetchedArchive {
        let sink: ArchiveSink
        switch source {
        case .http(let url):
            sink = try HTTPDownload.run(url, into: temporaryDirectory, timeout: timeout, progress: progress)
        case .file(let url):
            sink = try copy(url)
        }
        do {
            let digests = try sink.finish()
            try expected.verify(digests, source: source.description)
            return FetchedArchive(file: sink.url, source: source.description, size: sink.byteCount, digests: digests)
        } catch {
            sink.abandon()
            throw error
        }
    }

    /// Copies a local file through the sink (hashing on the way), so that local and remote
    /// sources end the same way: a verified temporary file the caller may move.
    private func copy(_ url: URL) throws -> ArchiveSink {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw DatasetError.missingFile(url.path)
        }
        guard let input = fopen(url.path, "rb") else {
            throw DatasetError.io("cannot open \(url.path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(input) }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
        let sink = try ArchiveSink(directory: temporaryDirectory, source: url.path, total: size, progress: progress)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
            if count == 0 { break }
            buffer.withUnsafeBytes { sink.write(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        if ferror(input) != 0 {
            sink.abandon()
            throw DatasetError.io("cannot read \(url.path)")
        }
        return sink
    }
}
