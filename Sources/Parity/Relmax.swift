/// The golden files' error metric: max|got − ref| / max|ref| over a whole tensor
/// (elementwise relative error is meaningless near zero).
public func relmax(_ got: [Float], _ reference: [Double]) -> Double {
    precondition(got.count == reference.count, "relmax: \(got.count) values against \(reference.count)")
    var difference: Double = 0, scale: Double = 0
    for (g, r) in zip(got, reference) {
        difference = max(difference, abs(Double(g) - r))
        scale = max(scale, abs(r))
    }
    if scale == 0 { return difference == 0 ? 0 : .infinity }
    return difference / scale
}
