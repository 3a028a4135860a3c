import Foundation

/// One spelling per number, whatever the locale, so tables are byte-stable.
enum NumberFormat {
    static func fixed(_ value: Double, _ digits: Int = 2) -> String {
        String(format: "%.\(digits)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }

    /// A signed difference: "+0.52", "-1.03", "0.00".
    static func signed(_ value: Double, _ digits: Int = 2) -> String {
        let text = fixed(value, digits)
        if text.trimmingCharacters(in: CharacterSet(charactersIn: "-0.")).isEmpty { return fixed(0, digits) }
        return value > 0 ? "+" + text : text
    }
}

extension NumberFormat {
    /// A cell of ours: "74.12 ± 0.31 (n=2)", mean ± sample std; one seed has no std: "74.12".
    static func estimate(_ estimate: Estimate) -> String {
        guard let std = estimate.std else { return fixed(estimate.mean) }
        return "\(fixed(estimate.mean)) ± \(fixed(std)) (n=\(estimate.n))"
    }

    /// A difference with its uncertainty: "+0.52 ± 1.00".
    static func difference(_ interval: Interval) -> String {
        "\(signed(interval.center)) ± \(fixed(interval.halfWidth))"
    }
}
