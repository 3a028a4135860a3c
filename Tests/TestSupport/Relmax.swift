import Parity

/// The golden files' error metric (Parity's `relmax`, one implementation) against a float
/// reference.
public func relmax(_ got: [Float], _ reference: [Float]) -> Double {
    relmax(got, reference.map(Double.init))
}
