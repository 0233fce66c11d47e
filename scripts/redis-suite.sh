#!/usr/bin/env bash
# Runs units of Redis's own 7.0.15 Tcl test suite against vireo-server. The suite is taken at
# run time from Debian's source package of redis (never committed here) into $SUITE_DIR.
#
#   scripts/redis-suite.sh                 # the units listed in tests/redis-suite-units.txt
#   scripts/redis-suite.sh unit/keyspace   # chosen units
#
# Env: SUITE_DIR (default /tmp/vireo-redis-suite), VIREO_BIN (default debug/vireo-server under
# $CARGO_TARGET_DIR or target/, built if missing). Exit status is non-zero when any unit has a
# failing test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SUITE_DIR=${SUITE_DIR:-/tmp/vireo-redis-suite}
VIREO_BIN=${VIREO_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/vireo-server}
[[ -x $VIREO_BIN ]] || cargo build --bin vireo-server
./scripts/install-deps.sh >/dev/null

fetch_suite() {
  [[ -x $SUITE_DIR/runtest && -d $SUITE_DIR/tests ]] && return 0
  local work; work=$(mktemp -d)
  mkdir -p "$work/parts" "$work/lists/partial"
  # a private sources list with deb-src lines, so the machine's apt setup is not touched
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && sed 's/^Types: deb$/Types: deb-src/' "$f" > "$work/parts/$(basename "$f")"
  done
  if [[ -f /etc/apt/sources.list ]]; then sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$work/parts/main.list"; fi
  local opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$work/parts" -o Dir::State::Lists="$work/lists")
  apt-get "${opts[@]}" update -qq >/dev/null 2>&1 || true
  (cd "$work" && apt-get "${opts[@]}" source --download-only redis >/dev/null 2>&1)
  local tarball; tarball=$(ls "$work"/redis_7.0.*.orig.tar.gz | head -1)
  tar -xzf "$tarball" -C "$work"
  local top; top=$(ls -d "$work"/redis-7.0.* | head -1)
  mkdir -p "$SUITE_DIR/src"
  for p in tests runtest redis.conf; do cp -a "$top/$p" "$SUITE_DIR/"; done
  rm -rf "$work"
}

fetch_suite
ln -sfn "$VIREO_BIN" "$SUITE_DIR/src/redis-server"
for t in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
  ln -sfn "$(command -v $t || echo /usr/bin/$t)" "$SUITE_DIR/src/$t"
done

units=("$@")
if ((${#units[@]} == 0)); then
  mapfile -t units < <(grep -vE '^\s*(#|$)' tests/redis-suite-units.txt)
fi
((${#units[@]})) || { echo "redis-suite: no units listed"; exit 0; }

fail=0
for u in "${units[@]}"; do
  log=$(mktemp)
  set +e
  (cd "$SUITE_DIR" && TERM=dumb timeout -k 10 900 ./runtest --single "$u" --clients 1 --timeout 300) 2>&1 \
    | sed -e 's/\x1b\[[0-9;]*m//g' > "$log"
  rc=${PIPESTATUS[0]}
  set -e
  ok=$(grep -c '^\[ok\]' "$log" || true)
  err=$(grep -cE '^\[(err|exception)\]' "$log" || true)
  printf '%-28s ok=%-4s err=%-3s rc=%s\n' "$u" "$ok" "$err" "$rc"
  if [[ $rc -ne 0 || $err -ne 0 ]]; then
    fail=1
    grep -E '^\[(err|exception)\]|Expected|^\*\*\*' "$log" | head -20 || true
  fi
  rm -f "$log"
done
exit $fail
