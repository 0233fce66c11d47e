#!/usr/bin/env bash
# The test command (README): installs the reference redis-server 7.0.15 when missing, builds
# vireo, runs the Rust test suite (unit, property, differential and end-to-end tests against
# real servers), then the units of Redis's own 7.0.15 Tcl test suite that vireo passes fully.
# Set VIREO_SKIP_REDIS_SUITE=1 to skip the Tcl units.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cargo build --workspace --all-targets
cargo test --workspace -- --test-threads=2
if [[ ${VIREO_SKIP_REDIS_SUITE:-0} != 1 ]]; then
  ./scripts/redis-suite.sh
fi
