import CZlib
import Foundation

/// Writes a gzip file through zlib's deflate. The header is fixed (no name, time 0,
/// OS "Unix") so the same bytes in give the same file out with the same zlib.
final class GzipWriter {
    private let output: UnsafeMutablePointer<FILE>
    private let path: String
    private let stream: UnsafeMutablePointer<z_stream>  // zlib keeps pointers to both: fixed addresses
    private let header: UnsafeMutablePointer<gz_header>
    private let outputSize = 1 << 18
    private let outputBuffer: UnsafeMutablePointer<UInt8>

    init(file: URL, level: Int32 = 6) throws {
        guard let output = fopen(file.path, "wb") else {
            throw DatasetError.io("cannot create \(file.path): \(String(cString: strerror(errno)))")
        }
        self.output = output
        path = file.path
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        header = .allocate(capacity: 1)
        header.initialize(to: gz_header())
        header.pointee.os = 3
        outputBuffer = .allocate(capacity: outputSize)
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK, deflateSetHeader(stream, header) == Z_OK else {
            throw DatasetError.io("zlib cannot start compressing (status \(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        header.deallocate()
        outputBuffer.deallocate()
        fclose(output)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        while stream.pointee.avail_in > 0 { try deflateStep(Z_NO_FLUSH) }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Finishes the stream and closes the file.
    func finish() throws {
        while try deflateStep(Z_FINISH) != Z_STREAM_END {}
        if fflush(output) != 0 { throw DatasetError.io("cannot write \(path)") }
    }

    @discardableResult
    private func deflateStep(_ flush: Int32) throws -> Int32 {
        stream.pointee.next_out = outputBuffer
        stream.pointee.avail_out = uInt(outputSize)
        let status = deflate(stream, flush)
        guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
            throw DatasetError.io("zlib cannot compress (status \(status))")
        }
        let produced = outputSize - Int(stream.pointee.avail_out)
        if produced > 0, fwrite(outputBuffer, 1, produced, output) != produced {
            throw DatasetError.io("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return status
    }
}
