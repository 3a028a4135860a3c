#!/usr/bin/env bash
# slurm-cluster.sh — a one-node Slurm cluster on localhost, for the Slurm executor tests
# (Tests/TestSupport/SlurmCluster.swift starts and stops it; `make setup` calls "install").
# Adapted from the research recipe slurm-single-node.sh.
#
# Debian 12 (bookworm), run as root, no systemd and no cgroups needed (works in a container
# or microVM). Everything the cluster writes lives under one directory; the packages come
# from Debian's apt (slurmctld, slurmd, slurm-client, munge; Slurm 22.05.8, munge 0.5.15).
#
#   slurm-cluster.sh [DIR] [install|up|down|status|check|check-slow]
#
#   DIR         where configs, state, logs, pid files and the munge socket go
#               (default "${TMPDIR:-/tmp}"/slurm-single-node)
#   install     only install the Debian packages that are missing
#   up          (default) install what is missing, write the configs, start munged,
#               slurmctld and slurmd unless they already run, wait until `sinfo` shows
#               the node idle. Safe to rerun: running daemons are left alone unless the
#               generated slurm.conf changed, in which case they are restarted.
#   down        stop the daemons this script started (by the PIDs in DIR's pid files)
#   status      daemons, sinfo, squeue
#   check       submit the probe jobs (trivial job, exit 3, array, dependencies, scancel,
#               -c 2 --mem=1G, over-memory kill, exit-code file) and print what Slurm says
#   check-slow  check plus a job killed by its --time limit (adds ~2 minutes)
#
# Clients need SLURM_CONF=DIR/etc/slurm.conf (the script prints it).
# Knobs (environment): TASK_PLUGIN (task/affinity; task/none also works), PARTITION (debug),
# CLUSTER_NAME (repro), SLURMCTLD_PORT (6817), SLURMD_PORT (6818).
set -euo pipefail

DIR="${TMPDIR:-/tmp}"/slurm-single-node
ACTION=up
for arg in "$@"; do
  case "$arg" in
    install|up|down|status|check|check-slow) ACTION=$arg ;;
    *) DIR=$arg ;;
  esac
done
DIR=$(readlink -m "$DIR")
CONF=$DIR/etc/slurm.conf
SOCK=$DIR/munge/run/munge.socket
MUNGE_PID=$DIR/munge/run/munged.pid
CTLD_PID=$DIR/run/slurmctld.pid
SLURMD_PID=$DIR/run/slurmd.pid
NODE=localhost
TASK_PLUGIN=${TASK_PLUGIN:-task/affinity}
PARTITION=${PARTITION:-debug}
CLUSTER_NAME=${CLUSTER_NAME:-repro}
SLURMCTLD_PORT=${SLURMCTLD_PORT:-6817}
SLURMD_PORT=${SLURMD_PORT:-6818}
export SLURM_CONF=$CONF

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

[ "$(id -u)" = 0 ] || die "run as root (the daemons and the munge socket are set up for root)"

# --------------------------------------------------------------------------- install
install_packages() {
  local missing=()
  command -v slurmctld >/dev/null || missing+=(slurmctld)
  command -v slurmd    >/dev/null || missing+=(slurmd)
  command -v sbatch    >/dev/null || missing+=(slurm-client)
  command -v munged    >/dev/null || missing+=(munge)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  # The packages' postinst scripts try to start the daemons through invoke-rc.d; without
  # systemd that runs the init scripts against /etc/slurm, which has no slurm.conf. A
  # temporary policy-rc.d that answers 101 (as Docker images ship) stops that.
  local policy=/usr/sbin/policy-rc.d made_policy=
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; made_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge; then
    apt-get update
    apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge
  fi
  [ -n "$made_policy" ] && rm -f "$policy"
  return 0
}

# --------------------------------------------------------------------------- config
node_line() {
  # `slurmd -C` prints the hardware as slurm.conf wants it:
  # NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=24105
  local hw mem cpus
  hw=$(slurmd -C | head -1)
  mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hw")
  cpus=$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hw")
  # Keep ~5% for the OS: a RealMemory above what slurmd finds drains the node.
  mem=$(( mem * 95 / 100 ))
  echo "NodeName=$NODE NodeAddr=127.0.0.1 $(sed -e 's/^NodeName=[^ ]* //' -e 's/RealMemory=[0-9]*//' <<<"$hw") RealMemory=$mem State=UNKNOWN"
  echo "#cpus=$cpus mem=$mem"
}

write_conf() {
  local nl cpus mem defmem
  nl=$(node_line)
  cpus=$(sed -n 's/^#cpus=\([0-9]*\).*/\1/p' <<<"$nl")
  mem=$(sed -n 's/.* mem=\([0-9]*\)$/\1/p' <<<"$nl")
  # Without DefMemPerCPU a job that gives no --mem is allocated the whole node's memory
  # under CR_Core_Memory, so jobs run one at a time however many CPUs are free.
  defmem=$(( mem / cpus ))
  mkdir -p "$DIR/etc" "$DIR/state" "$DIR/spool" "$DIR/log" "$DIR/run" "$DIR/jobs"
  cat > "$CONF.new" <<EOF
# Written by slurm-single-node.sh; regenerated on every "up".
ClusterName=$CLUSTER_NAME
SlurmctldHost=$NODE
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
# Our own munged socket, so the system's /run/munge is never touched.
AuthInfo=socket=$SOCK
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$CTLD_PID
SlurmdPidFile=$SLURMD_PID
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No systemd, no cgroup plugins: processes are tracked through the process tree, and
# task/affinity pins each job to its CPUs (sched_setaffinity; task/none also works but then
# a 1-CPU job still sees every core).
ProctrackType=proctrack/linuxproc
TaskPlugin=$TASK_PLUGIN
# Memory is enforced by polling RSS (jobacct_gather/linux) and killing steps over --mem.
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=5
JobAcctGatherParams=OverMemoryKill
# No slurmdbd: plain sacct answers "Slurm accounting storage is disabled", but the
# job-completion log below is readable with "sacct -c".
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=$defmem
ReturnToService=2
MpiDefault=none
# Defaults, spelled out because a client's status logic depends on them: finished jobs stay
# visible to squeue/scontrol for MinJobAge seconds; a job past its --time gets SIGTERM, then
# SIGKILL KillWait seconds later.
MinJobAge=300
KillWait=30
$(head -1 <<<"$nl")
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  if [ -f "$CONF" ] && cmp -s "$CONF" "$CONF.new"; then
    rm -f "$CONF.new"; return 1          # unchanged
  fi
  mv "$CONF.new" "$CONF"; return 0       # new or changed
}

# --------------------------------------------------------------------------- daemons
munge_ok() { [ -S "$SOCK" ] && munge -S "$SOCK" -n 2>/dev/null | unmunge -S "$SOCK" >/dev/null 2>&1; }

start_munged() {
  munge_ok && return 0
  # munged insists: key 0600 in a directory only munge can write; socket directory
  # searchable by all (0755); it refuses to start otherwise.
  mkdir -p "$DIR/munge/etc" "$DIR/munge/run" "$DIR/munge/lib"
  chmod 755 "$DIR/munge" "$DIR/munge/run"
  chmod 700 "$DIR/munge/etc" "$DIR/munge/lib"
  [ -s "$DIR/munge/etc/munge.key" ] || mungekey --create --keyfile="$DIR/munge/etc/munge.key"
  chown -R munge:munge "$DIR/munge"
  chmod 600 "$DIR/munge/etc/munge.key"
  rm -f "$SOCK" "$SOCK.lock"
  runuser -u munge -- munged \
    --key-file="$DIR/munge/etc/munge.key" --socket="$SOCK" --pid-file="$MUNGE_PID" \
    --log-file="$DIR/munge/lib/munged.log" --seed-file="$DIR/munge/lib/munged.seed"
  for _ in $(seq 1 50); do munge_ok && return 0; sleep 0.1; done
  die "munged did not come up; see $DIR/munge/lib/munged.log"
}

stop_pidfile() {  # stop_pidfile NAME FILE: SIGTERM the PID in FILE, wait up to 15 s
  local name=$1 file=$2 pid
  alive "$file" || { rm -f "$file"; return 0; }
  pid=$(cat "$file")
  log "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }; sleep 0.1; done
  log "$name (pid $pid) still running after 15 s"
  return 1
}

node_state() { sinfo -h -n "$NODE" -o %t 2>/dev/null || true; }

up() {
  install_packages
  local changed=0
  write_conf && changed=1
  if [ $changed = 1 ] && { alive "$CTLD_PID" || alive "$SLURMD_PID"; }; then
    log "slurm.conf changed: restarting the daemons"
    stop_pidfile slurmd "$SLURMD_PID" || true
    stop_pidfile slurmctld "$CTLD_PID" || true
  fi
  local t0 started=0; t0=$(now)
  munge_ok || started=1
  start_munged
  if ! alive "$CTLD_PID"; then
    log "starting slurmctld"; started=1
    slurmctld -f "$CONF"     # forks; StateSaveLocation keeps jobs across restarts
  fi
  if ! alive "$SLURMD_PID"; then
    log "starting slurmd"; started=1
    # -N: this host's name ("vm" here) is not in slurm.conf; say which node we are.
    slurmd -f "$CONF" -N "$NODE"
  fi
  local s=
  for _ in $(seq 1 300); do
    s=$(node_state)
    case "$s" in idle|mix|alloc) break ;; esac
    sleep 0.1
  done
  case "$s" in
    idle|mix|alloc) ;;
    *) die "node state '$s' after 30 s; see $DIR/log/slurmctld.log and $DIR/log/slurmd.log" ;;
  esac
  if [ $started = 1 ]; then log "node $NODE is $s, $(since "$t0") s after starting the daemons"
  else log "already running; node $NODE is $s"; fi
  sinfo
  cat <<EOF

Cluster up. For clients:
  export SLURM_CONF=$CONF
  sbatch --wrap 'echo hi'; squeue; scontrol show job JOBID; sacct -c -j JOBID
Stop it with:
  $0 $DIR down
or by hand:
  kill \$(cat $SLURMD_PID) \$(cat $CTLD_PID); kill \$(cat $MUNGE_PID)
Logs: $DIR/log/  (jobcomp.txt is what "sacct -c" reads)
EOF
}

down() {
  stop_pidfile slurmd "$SLURMD_PID" || true
  stop_pidfile slurmctld "$CTLD_PID" || true
  if alive "$MUNGE_PID"; then stop_pidfile munged "$MUNGE_PID" || true; fi
  log "stopped; state, logs and configs stay in $DIR (rm -rf it for a clean slate)"
}

status() {
  for p in "munged:$MUNGE_PID" "slurmctld:$CTLD_PID" "slurmd:$SLURMD_PID"; do
    if alive "${p#*:}"; then echo "${p%%:*}: running (pid $(cat "${p#*:}"))"; else echo "${p%%:*}: not running"; fi
  done
  sinfo 2>&1 || true
  squeue 2>&1 || true
}

# --------------------------------------------------------------------------- probes
FINAL='COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|BOOT_FAIL|DEADLINE|PREEMPTED'
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }
job_line() { scontrol show job -o "$1" 2>/dev/null | head -1; }

wait_final() {  # wait_final JOBID TIMEOUT_S: waits until JobState is final (COMPLETING is not)
  local id=$1 limit=$2 t0 line st
  t0=$(date +%s)
  while :; do
    line=$(job_line "$id"); st=$(field JobState "$line")
    [[ "$st" =~ ^($FINAL)$ ]] && return 0
    [ $(( $(date +%s) - t0 )) -ge "$limit" ] && return 1
    sleep 0.2
  done
}

report() {  # report LABEL JOBID [SECONDS]
  local line; line=$(job_line "$2")
  printf '%-34s job %-6s %-11s ExitCode=%-6s Reason=%-26s %s\n' "$1" "$2" \
    "$(field JobState "$line")" "$(field ExitCode "$line")" "$(field Reason "$line")" "${3:+${3}s}"
}

sb() { sbatch --parsable -D "$DIR/jobs" "$@"; }

check() {
  local slow=${1:-} t0 j e3 a f p ok p2 c r m w k t
  alive "$CTLD_PID" || die "not running; run: $0 $DIR up"
  cd "$DIR/jobs"
  echo "== probes (Slurm $(sinfo --version | awk '{print $2}'), TaskPlugin=$TASK_PLUGIN)"

  t0=$(now); j=$(sb --wrap 'echo hi; sleep 2')
  echo "-- squeue right after sbatch:"; squeue -j "$j" -o '%i %T %r' 2>&1
  wait_final "$j" 60; report "echo hi; sleep 2 (sbatch->final)" "$j" "$(since "$t0")"
  echo "   output: $(cat "slurm-$j.out")"

  t0=$(now); j=$(sb --wrap true); wait_final "$j" 60; report "true (sbatch->final)" "$j" "$(since "$t0")"

  e3=$(sb --wrap 'echo failing; exit 3'); wait_final "$e3" 60; report "exit 3" "$e3"

  a=$(sb --array=0-3 -o 'arr-%A_%a.out' --wrap 'echo task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID is job $SLURM_JOB_ID; exit $((SLURM_ARRAY_TASK_ID == 2 ? 4 : 0))')
  echo "-- array: sbatch --parsable printed '$a'; squeue -r:"; squeue -r -j "$a" -o '%i %A %K %T' 2>&1 || true
  for i in 0 1 2 3; do wait_final "${a}_$i" 120 || true; report "array task ${a}_$i (2 exits 4)" "${a}_$i"; done
  echo "   note: the last task keeps the array's own JobId; the others get new ones:"
  scontrol show job -o "$a" | sed -n 's/^JobId=\([0-9]*\).*ArrayJobId=\([0-9]*\) ArrayTaskId=\([0-9]*\).*/     JobId=\1 ArrayJobId=\2 ArrayTaskId=\3/p'

  ok=$(sb --wrap 'sleep 1'); p=$(sb --dependency=afterok:"$ok" --wrap 'echo dependent ran')
  wait_final "$p" 60; report "afterok on a success" "$p"
  f=$(sb --wrap 'exit 1'); p=$(sb --dependency=afterok:"$f" --wrap 'echo never')
  p2=$(sb --dependency=afterok:"$f" --kill-on-invalid-dep=yes --wrap 'echo never')
  wait_final "$f" 60; wait_final "$p2" 60 || true
  for _ in $(seq 1 300); do [ "$(field Reason "$(job_line "$p")")" = DependencyNeverSatisfied ] && break; sleep 0.2; done
  report "afterok on a failure" "$p"; report "  same, --kill-on-invalid-dep=yes" "$p2"
  echo "   (the first stays PENDING until someone cancels it; cancelling it now)"
  scancel "$p"

  c=$(sb --wrap 'trap "echo got TERM; exit 7" TERM; sleep 100 & wait')
  for _ in $(seq 1 100); do [ "$(field JobState "$(job_line "$c")")" = RUNNING ] && break; sleep 0.1; done
  sleep 1; scancel "$c"; wait_final "$c" 60; report "scancel while running (traps TERM)" "$c"
  j=$(sb --begin=now+1hour --wrap true); scancel "$j"; wait_final "$j" 30; report "scancel while pending" "$j"

  r=$(sb -c 2 --mem=1G --wrap 'echo SLURM_CPUS_PER_TASK=$SLURM_CPUS_PER_TASK SLURM_MEM_PER_NODE=$SLURM_MEM_PER_NODE nproc=$(nproc)')
  wait_final "$r" 60; report "-c 2 --mem=1G" "$r"; echo "   output: $(cat "slurm-$r.out")"
  j=$(sb --wrap 'echo nproc=$(nproc)'); wait_final "$j" 60; echo "   default 1-CPU job: $(cat "slurm-$j.out")"

  if command -v python3 >/dev/null; then
    m=$(sb --mem=100M --wrap 'python3 -c "b = bytearray(600 << 20); import time; time.sleep(30)"')
    wait_final "$m" 90; report "600 MB under --mem=100M" "$m"
    echo "   log: $(grep -m1 -o 'exceeded memory limit.*' "slurm-$m.out" || true)"
  fi

  k=$(sb --wrap 'kill -9 $$'); wait_final "$k" 60; report "batch shell kills itself (SIGKILL)" "$k"

  # The shared-filesystem pattern (Nextflow's .exitcode): the job writes its own exit code,
  # atomically, before it ends; the client reads the file, not the scheduler.
  w=$(sb --wrap 'set +e; (echo work; exit 5); rc=$?; echo $rc > "$SLURM_JOB_ID.exitcode.tmp" && mv "$SLURM_JOB_ID.exitcode.tmp" "$SLURM_JOB_ID.exitcode"; exit $rc')
  wait_final "$w" 60; report "exit-code file" "$w"; echo "   $w.exitcode contains: $(cat "$w.exitcode")"

  if [ "$slow" = slow ]; then
    t0=$(now); t=$(sb --time=1 --wrap 'sleep 600'); wait_final "$t" 200
    report "--time=1, sleeps 600 s" "$t" "$(since "$t0")"
    t0=$(now); t=$(sb --time=1 --wrap 'trap "echo ignoring TERM" TERM; sleep 600 & while :; do wait; done')
    wait_final "$t" 240; report "--time=1, ignores SIGTERM" "$t" "$(since "$t0")"
  fi

  echo "-- what each status source says about the exit-3 job ($e3) and the cancelled one ($c):"
  echo "   scontrol: $(job_line "$e3" | grep -o 'ExitCode=[^ ]*') $(job_line "$c" | grep -o 'ExitCode=[^ ]*')"
  echo "   squeue -t all -O JobID,State,exit_code (raw wait status): $(squeue -h -t all -j "$e3,$c" -O 'JobID:6,State:10,exit_code:6' | tr -s ' ' | tr '\n' ';')"
  echo "   sacct (no slurmdbd): $(sacct -j "$e3" 2>&1 | head -1)"
  echo "   sacct -c (jobcomp/filetxt):"; sacct -c -P -j "$e3,$c" -o JobID,State,ExitCode 2>/dev/null | sed 's/^/     /'
}

case "$ACTION" in
  install) install_packages ;;
  up) up ;;
  down) down ;;
  status) status ;;
  check) check ;;
  check-slow) check slow ;;
esac
