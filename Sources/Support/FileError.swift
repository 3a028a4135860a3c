#if canImport(Glibc)
    import Glibc
#endif

/// A file operation the system refused (a full disk, a file-size limit, a permission),
/// with the file and the system's reason: "cannot write /x/.y.tmp: File too large".
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let message: String

    /// `what` names the operation and the file; the reason is `errno`'s text.
    public init(_ what: String, errno code: Int32 = errno) {
        message = "\(what): \(String(cString: strerror(code)))"
    }

    public var description: String { message }
}
