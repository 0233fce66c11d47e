#!/usr/bin/env bash
# Installs what vireo's tests and benchmarks need on a Debian machine: the reference
# redis-server / redis-cli / redis-benchmark / redis-sentinel 7.0.15 (Debian 12's redis packages) and tcl (for
# Redis's own test suite). Idempotent: does nothing when everything is present.
set -euo pipefail
need=()
if ! command -v redis-server >/dev/null 2>&1 || ! redis-server --version 2>/dev/null | grep -q 'v=7\.0\.'; then
  need+=(redis-server)
fi
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || need+=(redis-tools)
command -v tclsh >/dev/null 2>&1 || need+=(tcl)
command -v redis-sentinel >/dev/null 2>&1 || need+=(redis-sentinel)
if ((${#need[@]})); then
  SUDO=
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${need[@]}" redis-tools >/dev/null
fi
# Debian starts a system redis-server on 6379 where systemd runs; tests use their own free ports,
# so it is left alone.
redis-server --version
