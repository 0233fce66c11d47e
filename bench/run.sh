#!/usr/bin/env bash
# Side-by-side benchmark: vireo-server against the reference redis-server, interleaved in one
# run. Builds vireo in release mode (unless VIREO_BIN is given), then bench/bench.py starts both
# servers with the same settings on free loopback ports, runs redis-benchmark against them in
# turn, measures server CPU per request and memory per key, prints a Markdown table and writes
# it (with the raw runs) to bench/results/<date>-<shortsha>.md. See bench/README.md.
#
#   bench/run.sh [--rounds R] [--n N|auto] [--duration S] [--tests set,get,...]
#                [--pipelines 1,16] [--skip-memory] [--populate K] [--elements K]
#                [--element-kinds hash,set,zset,list] [--vireo-bin PATH]
#                [--redis-bin PATH] [--out FILE] [--no-write]
#
# Env (flags win): ROUNDS N DURATION TESTS PIPELINES SKIP_MEMORY POPULATE ELEMENTS ELEMENT_KINDS
# VIREO_BIN REDIS_BIN
# BENCHMARK_BIN CLIENTS KEYSPACE OUT. Exit status is non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

ROUNDS=${ROUNDS:-3}
N=${N:-auto}
DURATION=${DURATION:-2}
TESTS=${TESTS:-set,get,incr,mset,lpush,lpop,sadd,hset,zadd,zrange,xadd}
PIPELINES=${PIPELINES:-1,16}
SKIP_MEMORY=${SKIP_MEMORY:-0}
POPULATE=${POPULATE:-1000000}
ELEMENTS=${ELEMENTS:-1000000}
ELEMENT_KINDS=${ELEMENT_KINDS-hash,set,zset,list}
VIREO_BIN=${VIREO_BIN:-}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
BENCHMARK_BIN=${BENCHMARK_BIN:-$(command -v redis-benchmark || echo /usr/bin/redis-benchmark)}
CLIENTS=${CLIENTS:-50}
KEYSPACE=${KEYSPACE:-100000}
OUT=${OUT:-}
WRITE=1

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
need() { [[ $# -ge 2 && -n $2 ]] || { echo "run.sh: $1 needs a value" >&2; exit 2; }; }
while (($#)); do
  case $1 in
    --rounds) need "$@"; ROUNDS=$2; shift 2 ;;
    --n) need "$@"; N=$2; shift 2 ;;
    --duration) need "$@"; DURATION=$2; shift 2 ;;
    --tests) need "$@"; TESTS=$2; shift 2 ;;
    --pipelines) need "$@"; PIPELINES=$2; shift 2 ;;
    --skip-memory) SKIP_MEMORY=1; shift ;;
    --populate) need "$@"; POPULATE=$2; shift 2 ;;
    --elements) need "$@"; ELEMENTS=$2; shift 2 ;;
    --element-kinds) ELEMENT_KINDS=${2-}; shift 2 ;;
    --vireo-bin) need "$@"; VIREO_BIN=$2; shift 2 ;;
    --redis-bin) need "$@"; REDIS_BIN=$2; shift 2 ;;
    --out) need "$@"; OUT=$2; shift 2 ;;
    --no-write) WRITE=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage 2 ;;
  esac
done

die() { echo "run.sh: $*" >&2; exit 1; }
command -v python3 >/dev/null || die "python3 not found"
[[ -x $BENCHMARK_BIN ]] || die "redis-benchmark not found (apt-get install redis-tools)"
[[ -x $REDIS_BIN ]] || die "reference server $REDIS_BIN not found (apt-get install redis-server)"

if [[ -z $VIREO_BIN ]]; then
  echo "building vireo-server (release)..." >&2
  cargo build --release --bin vireo-server >&2 || die "cargo build --release --bin vireo-server failed"
  VIREO_BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/vireo-server
fi
[[ -x $VIREO_BIN ]] || die "vireo binary $VIREO_BIN not found or not executable"
# absolute, but symlinks kept: redis-server picks its mode from argv[0]
abspath() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
REDIS_BIN=$(abspath "$REDIS_BIN")
VIREO_BIN=$(abspath "$VIREO_BIN")

HELPER=
WORK=$(mktemp -d /tmp/vireo-bench.XXXXXX)
PIDFILE=$WORK/pids
: > "$PIDFILE"

# Stop every server bench.py started (it records their pids here), whatever ended the run.
# A pid is signalled only while its command line still names one of the two server binaries.
cleanup() {
  local rc=$? pid exe
  trap - EXIT INT TERM
  if [[ -n ${HELPER:-} ]] && kill -0 "$HELPER" 2>/dev/null; then
    kill -TERM "$HELPER" 2>/dev/null || true
    for _ in $(seq 200); do kill -0 "$HELPER" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$HELPER" 2>/dev/null || true
  fi
  while read -r pid; do
    [[ -n $pid ]] || continue
    exe=$({ tr '\0' '\n' < "/proc/$pid/cmdline"; } 2>/dev/null | head -1) || continue
    [[ $exe == "$REDIS_BIN" || $exe == "$VIREO_BIN" ]] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: server pid $pid ignored SIGTERM, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done < "$PIDFILE"
  if ((rc != 0)); then
    echo "run.sh: failed (status $rc); server logs kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

SHA=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo nogit)
COMMIT="$SHA"
if [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
  COMMIT="$SHA (working tree has uncommitted changes)"
fi
case $VIREO_BIN in
  "$ROOT"/*|"${CARGO_TARGET_DIR:-$ROOT/target}"/*) ;;
  *) COMMIT="$COMMIT; binary given by VIREO_BIN, may not be this commit" ;;
esac

if ((WRITE)) && [[ -z $OUT ]]; then
  mkdir -p "$ROOT/bench/results"
  base=$ROOT/bench/results/$(date +%F)-$SHA
  OUT=$base.md
  i=2
  while [[ -e $OUT ]]; do OUT=$base-$i.md; i=$((i + 1)); done
fi

skip=()
[[ $SKIP_MEMORY == 1 || $SKIP_MEMORY == yes || $SKIP_MEMORY == true ]] && skip=(--skip-memory)
outarg=()
((WRITE)) && outarg=(--out "$OUT")

# In the background, so that a signal to this script runs the trap at once (bash defers traps
# while a foreground child runs); the trap stops bench.py first, then any server it left.
python3 "$ROOT/bench/bench.py" \
  --redis-bin "$REDIS_BIN" --vireo-bin "$VIREO_BIN" --benchmark-bin "$BENCHMARK_BIN" \
  --workdir "$WORK" --pidfile "$PIDFILE" \
  --rounds "$ROUNDS" --n "$N" --duration "$DURATION" --tests "$TESTS" --pipelines "$PIPELINES" \
  --clients "$CLIENTS" --keyspace "$KEYSPACE" --populate "$POPULATE" \
  --elements "$ELEMENTS" --element-kinds "$ELEMENT_KINDS" \
  --meta "vireo commit=$COMMIT" ${skip[@]+"${skip[@]}"} ${outarg[@]+"${outarg[@]}"} &
HELPER=$!
wait "$HELPER"
