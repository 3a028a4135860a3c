import Support

/// An error that knows whether the user's input caused it. The command line maps it to
/// the contract's exit codes in one place (`repro`'s `Main`): 2 when `isBadInput` (the
/// pipeline file, a parameter, the data: wrong checksum, damaged archive, a teacher of
/// another class count…), 1 otherwise (a stage or check failed, a disk refused a write).
/// Modules below Pipeline keep their own error types; the executable declares their
/// conformance (repro/ErrorClassification.swift), since they cannot see this protocol.
public protocol ClassifiedError: Error {
    var isBadInput: Bool { get }
}

/// A refused write or read (full disk, file-size limit): a failure, never the input's fault.
extension FileError: ClassifiedError {
    public var isBadInput: Bool { false }
}

public enum ErrorClass {
    /// True when `error` is classified as bad input. An unclassified error (a Foundation
    /// I/O error, say) counts as a failure: the input was not shown to be at fault.
    public static func isBadInput(_ error: any Error) -> Bool {
        (error as? any ClassifiedError)?.isBadInput ?? false
    }
}
