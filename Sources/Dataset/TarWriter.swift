import Foundation

/// Writes a .tar.gz of regular files: ustar headers with fixed owner, mode and time
/// (so the archive depends only on its members), GNU 'L' entries for names longer
/// than 100 bytes. Used by the synthetic-data generator and by tests that build
/// damaged archives on purpose.
public enum TarWriter {
    public static func writeTarGz(_ members: [(name: String, bytes: [UInt8])], to file: URL, level: Int32 = 6) throws {
        let gzip = try GzipWriter(file: file, level: level)
        for member in members {
            let name = Array(member.name.utf8)
            if name.count > 100 {
                try gzip.write(header(name: Array("././@LongLink".utf8), size: name.count + 1, type: "L"))
                try gzip.write(name + [0])
                try gzip.write(padding(name.count + 1))
            }
            try gzip.write(header(name: Array(name.prefix(100)), size: member.bytes.count, type: "0"))
            try gzip.write(member.bytes)
            try gzip.write(padding(member.bytes.count))
        }
        try gzip.write([UInt8](repeating: 0, count: 1024))  // end-of-archive: two zero blocks
        try gzip.finish()
    }

    static func header(name: [UInt8], size: Int, type: Character) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ text: String, at offset: Int) {
            for (i, byte) in text.utf8.enumerated() { block[offset + i] = byte }
        }
        block.replaceSubrange(0..<name.count, with: name)
        put("0000644", at: 100)  // mode
        put("0000000", at: 108)  // uid
        put("0000000", at: 116)  // gid
        put(String(format: "%011o", size), at: 124)  // size (octal, up to 8 GiB)
        put("00000000000", at: 136)  // mtime
        put("        ", at: 148)  // checksum: spaces while summing
        block[156] = type.asciiValue!
        put("ustar", at: 257)
        put("00", at: 263)
        let sum = block.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o", sum), at: 148)
        block[154] = 0
        block[155] = 32
        return block
    }

    /// Zeros up to the next 512-byte boundary after `count` bytes.
    static func padding(_ count: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: (512 - count % 512) % 512)
    }
}
