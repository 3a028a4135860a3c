import Crypto
import Foundation

/// SHA-256 as lowercase hex: of a file (streamed in 1 MiB pieces), of bytes in memory.
/// The one hex spelling of every digest repro prints or stores.
public enum FileDigest {
    public static func sha256(_ url: URL) throws -> String {
        var hasher = SHA256()
        try read(url) { hasher.update(bufferPointer: $0) }
        return hex(hasher.finalize())
    }

    public static func sha256(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// Passes the file's bytes to `consume` in pieces of at most 1 MiB, in order: for
    /// hashers that need several digests in one pass.
    public static func read(_ url: URL, _ consume: (UnsafeRawBufferPointer) -> Void) throws {
        guard let stream = fopen(url.path, "rb") else { throw FileError("cannot read \(url.path)") }
        defer { fclose(stream) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, stream) }
            if count == 0 { break }
            buffer.withUnsafeBytes { consume(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
        if ferror(stream) != 0 { throw FileError("cannot read \(url.path)") }
    }
}
