/// Why training stopped, each with what to do.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case diverged(epoch: Int, step: Int, loss: Float, lastGood: String?)
    case teacherMismatch(String)
    case checkpointMismatch(String)
    case badInput(String)
    case cancelled

    /// A teacher or checkpoint that does not fit, or a bad setting, is the user's to fix
    /// (exit 2); divergence and interruption are failures of the run (exit 1).
    public var isBadInput: Bool {
        switch self {
        case .teacherMismatch, .checkpointMismatch, .badInput: return true
        case .diverged, .cancelled: return false
        }
    }

    public var description: String {
        switch self {
        case .diverged(let epoch, let step, let loss, let lastGood):
            let kept = lastGood.map { "; the last good epoch is kept for inspection at \($0)" } ?? ""
            return
                "training diverged: the loss is \(loss) at epoch \(epoch), step \(step)\(kept). Lower the learning "
                + "rate or check the data."
        case .teacherMismatch(let message):
            return "distillation teacher: \(message)"
        case .checkpointMismatch(let message):
            return "checkpoint: \(message)"
        case .badInput(let message):
            return message
        case .cancelled:
            return
                "training was interrupted; the next run resumes where it stopped (the state is saved at the step it "
                + "reached)"
        }
    }
}
