/// A command that runs the engine's kernels, so needs the CPU they are compiled for:
/// `Main` runs `CPUCheck` before these only. `status`, `dag`, `gc` (and the store
/// plumbing) compute nothing and work on any CPU.
protocol KernelCommand {}

extension AllCommand: KernelCommand {}
extension StageCommand: KernelCommand {}
extension VerifyCommand: KernelCommand {}
extension BenchCommand: KernelCommand {}
extension ParityCommand: KernelCommand {}
extension RunKeyCommand: KernelCommand {}
