import ArgumentParser

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Time training and evaluation steps of a model on synthetic data.")
    @Option(help: "Model name, e.g. cifar_resnet56_v1.") var model: String = "cifar_resnet56_v1"
    @Option(help: "Batch size.") var batch: Int = 128
    @Option(help: "Threads.") var threads: Int = 2
    @Option(help: "Timed training steps.") var steps: Int = 10
    @Flag(help: "Print a JSON object as the last line.") var json = false

    func run() throws { throw Failure.notImplemented("repro bench", issue: 3) }
}

struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "parity", abstract: "Check the engine against reference vectors (golden/README.md).")
    @Argument(help: "A golden HDF5 file.") var file: String
    @Option(help: "Largest relative error allowed (relmax); default per golden/README.md.") var tolerance: Double?

    func run() throws { throw Failure.notImplemented("repro parity", issue: 3) }
}
