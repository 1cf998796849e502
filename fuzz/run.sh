#!/usr/bin/env bash
# Bounded fuzzing of rvirt's parsers of untrusted input (CI-optional: not in .ci/run).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET defaults to every target in
# fuzz/Cargo.toml (xdr_rpc_frame qmp domain_xml uri). Installs cargo-fuzz if missing.
# cargo-fuzz needs nightly-only flags; on the stable toolchain RUSTC_BOOTSTRAP=1
# unlocks them.
#
# Each target starts from its committed seeds (fuzz/seeds/<target>/), copied into a
# working corpus (fuzz/corpus/<target>/, git-ignored) that keeps what earlier runs
# found. Crash, timeout and OOM inputs land in fuzz/artifacts/<target>/ (git-ignored);
# turn each into a regression test in the crate that owns the parser.
#
# Environment:
#   CARGO_TARGET_DIR   build directory (default: fuzz/target, git-ignored)
#   FUZZ_CORPUS_DIR    where working corpora live (default: fuzz/corpus)
#   FUZZ_SANITIZER     address (default: catches huge allocations as OOMs) or none
#   FUZZ_TIMEOUT       seconds one input may take before it counts as a hang (default 2)
#   FUZZ_RSS_MB        memory limit, also the largest single allocation (default 2048)
#   FUZZ_KEEP_GOING=1  do not stop at the first crash (libFuzzer fork mode): collect
#                      every distinct failure within the time budget
#   FUZZ_ARGS          extra libFuzzer flags
#
# Exit status: 0 if no target found a crash, timeout or OOM, 1 otherwise.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
secs=${1:-60}
shift || true
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    targets=(xdr_rpc_frame qmp domain_xml uri)
fi
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -eq 0 ]; then
    echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
    exit 2
fi

export RUSTC_BOOTSTRAP=1
target_dir=${CARGO_TARGET_DIR:-$here/target}
corpus_root=${FUZZ_CORPUS_DIR:-$here/corpus}
sanitizer=${FUZZ_SANITIZER:-address}
timeout=${FUZZ_TIMEOUT:-2}
rss_mb=${FUZZ_RSS_MB:-2048}

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    start=$(date +%s)
    cargo install --locked cargo-fuzz || exit 1
    echo "== cargo-fuzz installed in $(($(date +%s) - start)) s"
fi

cd "$here" || exit 1
echo "== building ${targets[*]} (sanitizer: $sanitizer)"
for t in "${targets[@]}"; do
    cargo fuzz build -O -s "$sanitizer" --target-dir "$target_dir" "$t" || exit 1
done

# Per-target extra flags: domain XML documents are longer than the default 4 KiB.
max_len() {
    case "$1" in
        domain_xml) echo 16384 ;;
        xdr_rpc_frame) echo 8192 ;;
        *) echo 4096 ;;
    esac
}

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
summary=()
failed=0
for t in "${targets[@]}"; do
    corpus="$corpus_root/$t"
    artifacts="$here/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    for f in "$here/seeds/$t"/*; do
        [ -f "$f" ] && [ ! -e "$corpus/${f##*/}" ] && cp "$f" "$corpus/"
    done
    stamp="$logs/$t.stamp"
    touch "$stamp"
    seeds=$(find "$here/seeds/$t" -type f 2>/dev/null | wc -l)
    mode=()
    if [ "${FUZZ_KEEP_GOING:-0}" = 1 ]; then
        mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    echo "== $t: ${secs}s from $seeds seeds ($(find "$corpus" -type f | wc -l) in corpus)"
    start=$(date +%s)
    # shellcheck disable=SC2086
    cargo fuzz run -O -s "$sanitizer" --target-dir "$target_dir" "$t" "$corpus" -- \
        -max_total_time="$secs" -timeout="$timeout" -rss_limit_mb="$rss_mb" \
        -malloc_limit_mb="$rss_mb" -max_len="$(max_len "$t")" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 "${mode[@]}" \
        ${FUZZ_ARGS:-} >"$logs/$t.log" 2>&1
    rc=$?
    elapsed=$(($(date +%s) - start))
    # Plain mode prints stat::number_of_executed_units; fork mode prints "#N: ..." lines.
    execs=$(grep -a 'stat::number_of_executed_units' "$logs/$t.log" | tail -1 | awk '{print $2}')
    if [ -z "$execs" ]; then
        execs=$(grep -aoE '^#[0-9]+' "$logs/$t.log" | tail -1 | tr -d '#')
    fi
    crashes=$(find "$artifacts" -type f -name 'crash-*' -newer "$stamp" | wc -l)
    timeouts=$(find "$artifacts" -type f -name 'timeout-*' -newer "$stamp" | wc -l)
    ooms=$(find "$artifacts" -type f -name 'oom-*' -newer "$stamp" | wc -l)
    line=$(printf '%-14s execs=%-10s time=%4ss crashes=%s timeouts=%s ooms=%s exit=%s' \
        "$t" "${execs:-?}" "$elapsed" "$crashes" "$timeouts" "$ooms" "$rc")
    echo "$line"
    summary+=("$line")
    if [ "$rc" -ne 0 ] || [ $((crashes + timeouts + ooms)) -gt 0 ]; then
        failed=1
        echo "-- last lines of the $t log:"
        grep -aE 'panicked|ERROR|SUMMARY|Test unit written|deadly|timeout|out-of-memory' \
            "$logs/$t.log" | head -20
        cp "$logs/$t.log" "$artifacts/last-run.log"
        echo "-- full log: $artifacts/last-run.log"
    fi
done

echo "== summary (${secs}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
