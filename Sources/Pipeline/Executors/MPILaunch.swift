import Foundation

/// How repro starts the ranks of a multi-process stage with Open MPI's `mpirun`, on this
/// machine (`RanksExecutor`) or inside a Slurm allocation (`BatchScript`, where mpirun
/// finds the allocation's nodes itself and starts its daemons on them through srun).
/// mpirun rather than `srun --mpi=pmix`: it needs no PMI plugin to match between Slurm
/// and Open MPI (on a mismatch Open MPI silently starts singletons), and the same command
/// runs with and without Slurm.
enum MPILaunch {
    /// `mpirun` and its options for `ranks` processes: no pinning (each rank runs its own
    /// threads); on one machine, more ranks than cores may share them.
    static func command(ranks: String, oversubscribe: Bool) -> [String] {
        ["mpirun", "-np", ranks] + (oversubscribe ? ["--oversubscribe"] : []) + ["--bind-to", "none"]
    }

    /// Open MPI refuses to start as root without these two variables; repro's machines
    /// and CI run as root, so repro sets them there (and only there).
    static var rootVariables: [String: String] {
        getuid() == 0 ? ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"] : [:]
    }
}
