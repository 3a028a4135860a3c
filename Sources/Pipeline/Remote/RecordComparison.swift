/// Two run records under one stage key, compared as determinism demands: every
/// non-volatile output and every metric must be equal. Volatile outputs (wall-clock
/// timings) honestly differ from run to run and are not compared.
enum RecordComparison {
    /// One line per difference (`output upper.txt: here 12ab…, remote 34cd…`); empty when
    /// the records agree.
    static func differences(
        _ mine: StageRecord, _ theirs: StageRecord, mineName: String = "here", theirsName: String = "remote"
    ) -> [String] {
        var lines: [String] = []
        let outputs = Set(mine.outputs.keys).union(theirs.outputs.keys).sorted()
        for name in outputs {
            let a = mine.outputs[name], b = theirs.outputs[name]
            if a?.volatile == true && b?.volatile == true { continue }
            if a?.sha256 != b?.sha256 || a?.volatile != b?.volatile {
                lines.append(
                    "output \(name): \(mineName) \(a?.sha256 ?? "absent"), \(theirsName) \(b?.sha256 ?? "absent")")
            }
        }
        for name in Set(mine.metrics.keys).union(theirs.metrics.keys).sorted()
        where mine.metrics[name] != theirs.metrics[name] {
            let a = mine.metrics[name].map(\.description) ?? "absent"
            let b = theirs.metrics[name].map(\.description) ?? "absent"
            lines.append("metric \(name): \(mineName) \(a), \(theirsName) \(b)")
        }
        return lines
    }
}
