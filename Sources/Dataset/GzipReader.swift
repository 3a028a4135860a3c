import CZlib
import Foundation

/// Streams the unpacked bytes of a gzip file through zlib (`inflateInit2` with
/// 16 + MAX_WBITS: gzip wrapper, CRC-32 and length checked by zlib). Concatenated gzip
/// members are read as one stream and trailing padding is ignored, as `gunzip` does.
final class GzipReader {
    let name: String
    private let input: UnsafeMutablePointer<FILE>
    private let stream: UnsafeMutablePointer<z_stream>  // zlib keeps a pointer to it: fixed address
    private static let inputSize = 1 << 20
    private let inputBuffer: UnsafeMutablePointer<UInt8>
    private var inputEnded = false
    private var atMemberEnd = false
    private var finished = false
    private(set) var compressedBytes: Int64 = 0
    private(set) var unpackedBytes: Int64 = 0

    /// - Parameter name: how the archive is named in error messages.
    init(file: URL, name: String? = nil) throws {
        self.name = name ?? file.lastPathComponent
        guard let input = fopen(file.path, "rb") else { throw DatasetError.missingFile(file.path) }
        self.input = input
        inputBuffer = .allocate(capacity: GzipReader.inputSize)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {  // deinit releases everything (inflateEnd ignores a failed stream)
            throw DatasetError.io("zlib cannot start (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        inputBuffer.deallocate()
        fclose(input)
    }

    /// Fills `buffer` completely unless the stream ends first; returns the bytes written
    /// (0 at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            if stream.pointee.avail_in == 0 { try refill() }
            if stream.pointee.avail_in == 0 {
                guard atMemberEnd else {
                    throw DatasetError.truncated(
                        archive: name,
                        detail: compressedBytes == 0
                            ? "the file is empty"
                            : "the gzip stream stops after \(compressedBytes) bytes (\(unpackedBytes) unpacked) "
                                + "without its end marker"
                    )
                }
                finished = true
                break
            }
            if atMemberEnd {
                // Another gzip member follows (`cat a.gz b.gz`), or padding that `gunzip`
                // ignores as trailing garbage (anything not starting with the magic 0x1f).
                guard stream.pointee.next_in.pointee == 0x1F else {
                    finished = true
                    break
                }
                inflateReset(stream)
                atMemberEnd = false
            }
            stream.pointee.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(buffer.count - produced)
            let before = Int(stream.pointee.avail_out)
            let status = inflate(stream, Z_NO_FLUSH)
            let written = before - Int(stream.pointee.avail_out)
            produced += written
            unpackedBytes += Int64(written)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                atMemberEnd = true
            case Z_DATA_ERROR:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                let hint = message == "incorrect header check" ? " (not a gzip file?)" : ""
                throw DatasetError.corruptGzip(
                    archive: name, detail: "\(message)\(hint), after \(unpackedBytes) unpacked bytes")
            default:
                throw DatasetError.corruptGzip(
                    archive: name, detail: "zlib status \(status) after \(unpackedBytes) unpacked bytes")
            }
        }
        return produced
    }

    /// Reads to the end of the stream, so that zlib checks the CRC-32 and length in the
    /// gzip trailer (a tar archive ends before its gzip stream does).
    func readToEnd() throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while try buffer.withUnsafeMutableBytes({ try read(into: $0) }) > 0 {}
    }

    private func refill() throws {
        guard !inputEnded else { return }
        let count = fread(inputBuffer, 1, GzipReader.inputSize, input)
        if count < GzipReader.inputSize {
            if ferror(input) != 0 { throw DatasetError.io("cannot read \(name)") }
            inputEnded = true
        }
        compressedBytes += Int64(count)
        stream.pointee.next_in = inputBuffer
        stream.pointee.avail_in = uInt(count)
    }
}
