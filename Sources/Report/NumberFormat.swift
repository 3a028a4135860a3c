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
