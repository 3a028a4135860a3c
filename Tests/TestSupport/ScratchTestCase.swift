import Foundation
import XCTest

/// A test case with a fresh scratch directory per test (`directory`), removed after it
/// with everything in it.
open class ScratchTestCase: XCTestCase {
    private var scratch: ScratchDirectory?
    public var directory: URL! { scratch?.url }

    override open func setUpWithError() throws {
        try super.setUpWithError()
        scratch = try ScratchDirectory(String(describing: type(of: self)))
    }

    override open func tearDownWithError() throws {
        scratch = nil
        try super.tearDownWithError()
    }
}
