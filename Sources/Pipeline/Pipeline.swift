// Pipeline: the generic DAG runner. It knows nothing of CNNs; the executable registers
// the stage kinds. Its folders follow a stage's life:
//
//   Spec/      pipeline.yaml to resolved stages: the file (PipelineFile, StageTemplate),
//              parameters declared by kinds (Parameter, StageParameters), profiles and
//              --param (ParameterResolution), stage references and seeds (StageReferences,
//              SeedReplication), execution order (PipelineDefinition, ExecutionOrder).
//   Store/     what survives a run: the content-addressed store (ContentStore), stage keys
//              (StageFingerprint), run records and the lock file (StageRecord, RunRecords,
//              LockFile, LockWriter), canonical JSON (JSONValue, JSONParser).
//   Run/       running stages: the scheduler (Runner), one stage's protocol
//              (StageEvaluation → StageExecution), what a kind sees (StageContext), why a
//              stage runs (StaleReason), progress and cancellation, the cmd kind.
//   Commands/  the read-only views and checks behind `status`, `dag`, `--dry-run`, `verify`
//              and `gc` (StatusReport, DagRenderer, Plan, Verifier and the OutputComparer
//              seam it asks about differing files, GarbageCollector).
//
// Durable files (atomic writes, locks, digests) are one module lower, in Support.
