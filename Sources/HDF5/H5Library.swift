import CHDF5
import Foundation

/// One place that owns the process-wide HDF5 state: the library is opened once,
/// automatic error printing is switched off, the Zstandard filter is registered,
/// and every call into the (non-thread-safe, serial) library is serialized.
enum H5Library {
    /// One recursive lock serializes every call: simple, and safe whether or not the
    /// library was built thread-safe.
    private static let mutex = NSRecursiveLock()

    nonisolated(unsafe) private static var ready = false

    /// Runs `body` with the library initialised and locked.
    static func locked<T>(_ body: () throws -> T) rethrows -> T {
        mutex.lock()
        defer { mutex.unlock() }
        if !ready {
            // libhdf5's exit handler closes the files still open, and crashes (1.10.8,
            // SIGSEGV) on one whose flush failed, e.g. when the disk refused a write: the
            // error was already reported, then the process died on exit. repro closes every
            // file it opens itself, so the handler is not needed.
            H5dont_atexit()
            H5open()
            ZstdFilter.register()
            ready = true
        }
        // Errors are reported as Swift errors carrying the stack, never printed by the
        // library. Debian builds libhdf5 thread-safe, where this setting is per thread.
        H5Eset_auto2(hid_t(H5E_DEFAULT), nil, nil)
        return try body()
    }

    /// Throws `H5Error` with the library's own error stack when `status` is negative.
    @discardableResult
    static func check<T: BinaryInteger>(_ status: T, _ what: @autoclosure () -> String) throws -> T {
        if status < 0 { throw H5Error(what(), stack: errorStack()) }
        return status
    }

    /// The messages on HDF5's error stack, innermost last, then the stack is cleared.
    static func errorStack() -> [String] {
        final class Box { var lines: [String] = [] }
        let box = Box()
        let walker: H5E_walk2_t = { _, desc, data in
            guard let desc, let data else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(data).takeUnretainedValue()
            let message = desc.pointee.desc.map { String(cString: $0) } ?? "?"
            let function = desc.pointee.func_name.map { String(cString: $0) } ?? "?"
            box.lines.append("\(function): \(message)")
            return 0
        }
        let ptr = Unmanaged.passUnretained(box).toOpaque()
        H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, walker, ptr)
        H5Eclear2(hid_t(H5E_DEFAULT))
        return box.lines
    }
}

/// Constants that libhdf5 defines as macros Swift cannot import.
enum H5Constants {
    static let propertyDefault = hid_t(0)  // H5P_DEFAULT
    static let selectAll = hid_t(0)  // H5S_ALL
    static let accessReadOnly: UInt32 = 0x0000  // H5F_ACC_RDONLY
    static let accessReadWrite: UInt32 = 0x0001  // H5F_ACC_RDWR
    static let accessTruncate: UInt32 = 0x0002  // H5F_ACC_TRUNC
    static let filterOptional: UInt32 = 0x0001  // H5Z_FLAG_OPTIONAL
    static let filterReverse: UInt32 = 0x0100  // H5Z_FLAG_REVERSE
    static let variableLength = -1  // H5T_VARIABLE, (size_t)(-1)
    static var fileCreate: hid_t { H5P_CLS_FILE_CREATE_ID_g }
    static var fileAccess: hid_t { H5P_CLS_FILE_ACCESS_ID_g }
    static var datasetCreate: hid_t { H5P_CLS_DATASET_CREATE_ID_g }
    static var groupCreate: hid_t { H5P_CLS_GROUP_CREATE_ID_g }
    static var attributeCreate: hid_t { H5P_CLS_ATTRIBUTE_CREATE_ID_g }
}

/// An error from libhdf5, with what repro was doing and HDF5's own error stack.
public struct H5Error: Error, CustomStringConvertible {
    public let message: String
    public let stack: [String]

    public init(_ message: String, stack: [String] = []) {
        self.message = message
        self.stack = stack
    }

    public var description: String {
        guard !stack.isEmpty else { return message }
        return message + "\n  HDF5: " + stack.joined(separator: "\n  HDF5: ")
    }
}
