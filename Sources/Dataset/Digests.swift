import Crypto
import Foundation
import Support

/// The MD5 and SHA-256 of an archive, lowercase hex.
public struct ArchiveDigests: Equatable, Sendable {
    public let md5: String
    public let sha256: String

    public init(md5: String, sha256: String) {
        self.md5 = md5
        self.sha256 = sha256
    }

    /// Digests of a file, read in 1 MiB pieces.
    public static func of(file url: URL) throws -> ArchiveDigests {
        guard FileManager.default.fileExists(atPath: url.path) else { throw DatasetError.missingFile(url.path) }
        var accumulator = DigestAccumulator()
        do {
            try FileDigest.read(url) { accumulator.update($0) }
        } catch let error as FileError {
            throw DatasetError.io(error.message)
        }
        return accumulator.finish()
    }
}

/// MD5 and SHA-256 computed together while bytes stream past (download or copy).
public struct DigestAccumulator {
    private var md5 = Insecure.MD5()
    private var sha256 = SHA256()
    public private(set) var byteCount: Int64 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        md5.update(bufferPointer: bytes)
        sha256.update(bufferPointer: bytes)
        byteCount += Int64(bytes.count)
    }

    public func finish() -> ArchiveDigests {
        ArchiveDigests(md5: FileDigest.hex(md5.finalize()), sha256: FileDigest.hex(sha256.finalize()))
    }
}

/// The digests an archive must have; either may be absent (then it is not checked).
public struct ExpectedDigests: Equatable, Sendable {
    public let md5: String?
    public let sha256: String?

    /// Validates the spelling (hex, right length) and normalizes to lowercase.
    public init(md5: String? = nil, sha256: String? = nil) throws {
        self.md5 = try ExpectedDigests.normalized(md5, algorithm: "MD5", length: 32)
        self.sha256 = try ExpectedDigests.normalized(sha256, algorithm: "SHA-256", length: 64)
    }

    public static let none = try! ExpectedDigests()

    /// Throws `checksumMismatch` naming the first digest that differs.
    public func verify(_ actual: ArchiveDigests, source: String) throws {
        if let md5, md5 != actual.md5 {
            throw DatasetError.checksumMismatch(source: source, algorithm: "MD5", expected: md5, actual: actual.md5)
        }
        if let sha256, sha256 != actual.sha256 {
            throw DatasetError.checksumMismatch(
                source: source, algorithm: "SHA-256", expected: sha256, actual: actual.sha256)
        }
    }

    private static func normalized(_ value: String?, algorithm: String, length: Int) throws -> String? {
        guard let value else { return nil }
        let lower = value.trimmingCharacters(in: .whitespaces).lowercased()
        guard lower.count == length, lower.allSatisfy(\.isHexDigit) else {
            throw DatasetError.badDigest(algorithm: algorithm, value: value)
        }
        return lower
    }
}
