import CHDF5
import CZstd
import Foundation

/// The Zstandard filter for HDF5 chunks, registered under id 32015: the id The HDF Group
/// assigned to Zstandard, which `hdf5plugin` for h5py also uses, so files open both ways.
/// Client data: `cd_values[0]` is the compression level (hdf5plugin's convention).
/// Frames carry zstd's content checksum, so a corrupted chunk is an error, never garbage.
public enum ZstdFilter {
    public static let id: H5Z_filter_t = 32015
    public static let defaultLevel: UInt32 = 3

    nonisolated(unsafe) private static var filterClass = H5Z_class2_t(
        version: 1,  // H5Z_CLASS_T_VERS
        id: ZstdFilter.id,
        encoder_present: 1,
        decoder_present: 1,
        name: UnsafePointer(strdup("zstd (repro)")),
        can_apply: nil,
        set_local: nil,
        filter: zstdFilterCallback)

    /// Called once by `H5Library` while it holds the library lock.
    static func register() {
        if H5Zfilter_avail(id) > 0 { return }
        if H5Zregister(&filterClass) < 0 {
            let stack = H5Library.errorStack()
            FileHandle.standardError.write(Data("repro: cannot register the zstd HDF5 filter: \(stack)\n".utf8))
        }
    }
}

/// HDF5 hands the filter a malloc'd buffer; the filter replaces it with a malloc'd result.
/// Returns the number of valid bytes, or 0 for failure (HDF5 then reports a filter error).
private func zstdFilterCallback(
    flags: UInt32, cdCount: Int, cdValues: UnsafePointer<UInt32>?, nbytes: Int,
    bufSize: UnsafeMutablePointer<Int>?, buf: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> Int {
    guard let buf, let bufSize, let input = buf.pointee else { return 0 }
    if flags & H5Constants.filterReverse != 0 {
        let expected = ZSTD_getFrameContentSize(input, nbytes)
        // ZSTD_CONTENTSIZE_UNKNOWN / _ERROR are the two largest UInt64 values.
        guard expected < UInt64.max - 1, let output = malloc(max(Int(expected), 1)) else { return 0 }
        let written = ZSTD_decompress(output, Int(expected), input, nbytes)
        if ZSTD_isError(written) != 0 || UInt64(written) != expected {
            free(output)
            return 0
        }
        free(input)
        buf.pointee = output
        bufSize.pointee = Int(expected)
        return written
    }
    let level = cdCount > 0 && cdValues != nil ? Int32(bitPattern: cdValues![0]) : Int32(ZstdFilter.defaultLevel)
    let bound = ZSTD_compressBound(nbytes)
    guard let output = malloc(bound), let context = ZSTD_createCCtx() else { return 0 }
    defer { ZSTD_freeCCtx(context) }
    ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
    ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
    let written = ZSTD_compress2(context, output, bound, input, nbytes)
    if ZSTD_isError(written) != 0 {
        free(output)
        return 0
    }
    free(input)
    buf.pointee = output
    bufSize.pointee = bound
    return written
}
