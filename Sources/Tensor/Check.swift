/// A check that every build keeps. Tensor, NN and Dataset compile with `-Ounchecked`
/// (Package.swift), which removes `precondition` and `assert` altogether, so a shape or
/// count mistake at a public entry point would read or write past a buffer in silence.
/// `fatalError` is kept under `-Ounchecked`: a failed check stops the process with the
/// message, which names the tensor or argument and both sizes.
///
/// For programming errors only: what user input can reach (a file's shapes, a parameter)
/// is checked where it enters and thrown as an error (ArenaError, NNError, DatasetError).
@inline(__always)
public func check(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
