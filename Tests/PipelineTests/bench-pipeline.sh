#!/bin/sh
# The runner's speed targets, measured end to end with the built binary:
#   repro all    with every stage up to date, 40 stages   (target < 0.5 s)
#   repro status on a generated 1,000-stage pipeline      (target < 1 s)
# Usage: Tests/PipelineTests/bench-pipeline.sh [path/to/repro] [repeats]
set -eu
repro=$(realpath "${1:-.build/release/repro}")
repeats=${2:-5}
root=$(mktemp -d)
trap 'chmod -R u+w "$root"; rm -rf "$root"' EXIT

# A layered DAG of cmd stages: layers of ten, each stage reading two of the layer before.
generate() {
    mkdir -p "$1"
    {
        echo "stages:"
        i=0
        while [ $i -lt "$2" ]; do
            if [ $i -lt 10 ]; then deps=""; else deps="s$((i - 10)), s$(( (i / 10 - 1) * 10 + (i + 3) % 10 ))"; fi
            echo "  s$i: {kind: cmd, deps: [$deps], params: {run: 'echo $i > \$OUT/out', outputs: [out]}}"
            i=$((i + 1))
        done
    } > "$1/pipeline.yaml"
    (cd "$1" && "$repro" all -j "$(nproc)" > /dev/null 2>&1)
}

# Median wall time of `repro ARGS` in directory $1, in seconds.
median() {
    dir=$1; shift
    n=0
    while [ $n -lt "$repeats" ]; do
        start=$(date +%s%N)
        (cd "$dir" && "$repro" "$@" > /dev/null)
        end=$(date +%s%N)
        echo $(( (end - start) / 1000 ))
        n=$((n + 1))
    done | sort -n | awk '{ t[NR] = $1 } END { printf "%.3f", t[int((NR + 1) / 2)] / 1e6 }'
}

generate "$root/small" 40
generate "$root/large" 1000
echo "repro all, 40 stages up to date: $(median "$root/small" all) s (median of $repeats)"
echo "repro status, 1000 stages:       $(median "$root/large" status) s (median of $repeats)"
