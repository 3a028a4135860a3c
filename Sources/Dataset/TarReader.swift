import Foundation

/// One member of a tar archive.
struct TarEntry {
    let name: String
    let size: Int
    /// The type flag: "0" regular file, "5" directory, … (GNU long names and pax
    /// headers are consumed by the reader and never returned).
    let type: Character

    var isFile: Bool { type == "0" || type == "\0" || type == "7" }
}

/// Reads a tar stream (POSIX ustar, old GNU/v7 headers, GNU long names 'L', pax path
/// records) member by member. Each body is either read with `readBody()` or skipped
/// by the next call to `next()`.
final class TarReader {
    private let source: GzipReader
    private var offset: Int64 = 0  // bytes consumed from the unpacked stream
    private var pending: Int = 0  // body bytes of the current entry not read yet
    private var padding: Int = 0  // zero bytes after the body up to the next 512 boundary
    private var block = [UInt8](repeating: 0, count: 512)

    init(_ source: GzipReader) {
        self.source = source
    }

    private var archive: String { source.name }

    /// The next member, or nil at the end of the archive.
    func next() throws -> TarEntry? {
        var longName: String?
        while true {
            try skip(pending + padding)
            pending = 0
            padding = 0
            let headerOffset = offset
            let count = try block.withUnsafeMutableBytes { try source.read(into: $0) }
            offset += Int64(count)
            if count == 0 { return nil }  // no end-of-archive blocks: accepted, as GNU tar does
            guard count == 512 else {
                throw DatasetError.truncated(
                    archive: archive, detail: "the tar stream stops inside a header at byte \(headerOffset)")
            }
            if block.allSatisfy({ $0 == 0 }) { return nil }  // end-of-archive marker
            try checkChecksum(at: headerOffset)
            let size = try number(124, 12, at: headerOffset, field: "size")
            let type = Character(UnicodeScalar(block[156]))
            pending = size
            padding = (512 - size % 512) % 512
            switch type {
            case "L":  // GNU: the body is the next member's name
                longName = cString(try readBody())
            case "x":  // pax: "length key=value\n" records; only `path` matters here
                if let path = TarReader.paxPath(try readBody()) { longName = path }
            case "g", "K":  // global pax header, GNU long link name: not needed
                continue
            default:
                var name = cString(block[0..<100])
                let prefix = cString(block[345..<500])
                // POSIX ustar ("ustar\0") has a name prefix at 345; old GNU headers ("ustar  ")
                // keep access and change times there instead.
                if block[257..<263].elementsEqual("ustar\0".utf8), !prefix.isEmpty { name = prefix + "/" + name }
                let member = longName ?? name
                // Nothing is extracted to disk, but a member that would land outside the
                // directory it is unpacked in (absolute, or through "..") marks an archive
                // built to attack tar: refused, whatever its name, before it is read.
                if member.hasPrefix("/") || member.split(separator: "/").contains("..") {
                    throw DatasetError.unsafeMember(archive: archive, member: member)
                }
                return TarEntry(name: member, size: size, type: type)
            }
        }
    }

    /// The body of the member `next()` returned last.
    func readBody() throws -> [UInt8] {
        let size = pending
        var failure: Error?
        let body = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            do {
                initialized = try source.read(into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        offset += Int64(body.count)
        pending = 0
        guard body.count == size else {
            throw DatasetError.truncated(
                archive: archive, detail: "a member of \(size) bytes stops after \(body.count) bytes")
        }
        return body
    }

    private func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            let piece = min(left, block.count)
            let read = try block.withUnsafeMutableBytes {
                try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[..<piece]))
            }
            offset += Int64(read)
            left -= read
            if read < piece {
                throw DatasetError.truncated(
                    archive: archive, detail: "the tar stream stops inside a member, at byte \(offset)")
            }
        }
    }

    private func checkChecksum(at headerOffset: Int64) throws {
        let stored = try number(148, 8, at: headerOffset, field: "checksum")
        var unsigned = 0, signed = 0
        for (i, byte) in block.enumerated() {
            let value = (148..<156).contains(i) ? 32 : byte  // the checksum field counts as spaces
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        guard stored == unsigned || stored == signed else {
            throw DatasetError.corruptTar(
                archive: archive, offset: headerOffset,
                detail:
                    "header checksum \(stored) does not match its bytes (\(unsigned)); not a tar archive, or damaged")
        }
    }

    /// An octal field (NUL or space terminated), or GNU base-256 when the high bit is set.
    private func number(_ start: Int, _ length: Int, at headerOffset: Int64, field: String) throws -> Int {
        let bytes = block[start..<start + length]
        if let first = bytes.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for byte in bytes.dropFirst() { value = value << 8 | Int(byte) }
            return value
        }
        let digits = bytes.drop { $0 == 32 }.prefix { $0 != 0 && $0 != 32 }
        guard let value = Int(String(decoding: digits, as: UTF8.self), radix: 8), value >= 0 else {
            if digits.isEmpty { return 0 }
            throw DatasetError.corruptTar(
                archive: archive, offset: headerOffset,
                detail: "the \(field) field '\(String(decoding: bytes, as: UTF8.self))' is not an octal number")
        }
        return value
    }

    private func cString<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func paxPath(_ body: [UInt8]) -> String? {
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            let record = line[line.index(after: space)...]
            if record.hasPrefix("path=") { return String(record.dropFirst(5)) }
        }
        return nil
    }
}
