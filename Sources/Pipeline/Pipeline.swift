// Pipeline: the generic DAG runner. It knows nothing of CNNs; the executable registers
// the stage kinds. Its folders follow a stage's life:
//
//   Spec/      pipeline.yaml to resolved stages: the file (PipelineFile, StageTemplate),
//              parameters declared by kinds (Parameter, StageParameters), profiles and
//              --param (ParameterResolution), stage references and seeds (StageReferences,
//              SeedReplication), execution order (PipelineDefinition, ExecutionOrder).
//   Store/     what survives a run: the content-addressed store (ContentStore), stage keys
//              (StageFingerprint), run records and the lock file (StageRecord, RunRecords,
//              LockFile, LockWriter).
//   Run/       running stages: the scheduler (Runner, its bookkeeping RunState), a
//              stage's life (StageEvaluation: up to date or why not; StageExecution: computed
//              here; StageCompletion: outputs, run record, lock entry, in that order), what a
//              kind sees (StageContext), why a stage runs (StaleReason), progress and
//              cancellation, the cmd kind.
//   Executors/ how a job gets computed (Executor, StageJob): in this process
//              (LocalExecutor) or as a Slurm job (SlurmExecutor).
//   Slurm/     the Slurm executor's parts: a stage key as Slurm jobs (SlurmStageJob: submit
//              or reattach, wait, continue after a time limit, retry infrastructure
//              failures), batch scripts, sbatch/squeue/scancel (SlurmClient) polled by one
//              monitor (SlurmMonitor), the ledger of submitted jobs, how a job ended
//              (JobEnding), the jobs in `status` (SlurmJobsReport), the job side (`repro
//              run-key`: KeyedStageRun), and the cluster plan of `--dry-run` (ClusterPlan).
//   Remote/    push and pull (Push, Pull) to a remote cache (RemoteCache: FileRemote for
//              file://, HTTPRemote for Bazel's HTTP cache protocol), which the remote: of
//              pipeline.yaml names (Spec/RemoteSpec, RemoteURL); credentials from the environment
//              or ~/.netrc (RemoteCredentials, Netrc), retries (RemoteRetry), two records of
//              one key compared (RecordComparison), the progress line (TransferProgress).
//   Commands/  the read-only views and checks behind `status`, `dag`, `--dry-run`, `verify`
//              and `gc` (StatusReport, DagRenderer, Plan, Verifier and the OutputComparer
//              seam it asks about differing files, GarbageCollector).
//
// Durable files (atomic writes, locks, digests), the HTTP client (HTTPTransport) and the
// JSON layer (JSONValue, its parser, its Codable bridge and styles) are one module lower,
// in Support.
