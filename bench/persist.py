#!/usr/bin/env python3
"""Persistence benchmark: vireo-server and redis-server side by side, each on its own dataset of
KEYS keys made by DEBUG POPULATE (value size VALUE bytes):

- SAVE: wall time of the SAVE command and the size of dump.rdb;
- load: the restart's own "DB loaded from disk: N seconds" line, and the wall time until PING
  answers;
- BGSAVE under write load: redis-benchmark SETs over the same keys while BGSAVE runs. Reported:
  the peak copy-on-write of the child (Private_Dirty from /proc, sampled every 5 ms) plus the
  parent's RSS growth, the fork time the server reports (INFO latest_fork_usec: the event loop
  stands still that long), and the longest PING round trip seen by a separate client meanwhile,
  next to the longest PING under the same write load in the seconds before the BGSAVE (on a
  shared 2-core machine the scheduler alone makes stalls of several ms; the difference between
  the two is what the snapshot adds).

Usage: bench/persist.py --vireo-bin PATH [--redis-bin PATH] [--keys N] [--value V] [--rounds R]
Prints a Markdown table (ratios vireo/redis). Only the standard library is used; the RESP client
and process helpers come from bench.py.
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402


def launch(binary, d, port):
    log = os.path.join(d, "server.log")
    args = [binary, "--port", str(port), "--bind", B.HOST, "--save", "", "--appendonly", "no",
            "--dir", d, "--dbfilename", "dump.rdb", "--logfile", log, "--enable-debug-command", "yes"]
    p = subprocess.Popen(args, cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.STDOUT, preexec_fn=B._die_with_parent, start_new_session=True)
    t0 = time.monotonic()
    while True:
        if p.poll() is not None:
            raise B.BenchError("%s exited while starting" % binary)
        try:
            with B.Resp(port, timeout=2.0) as c:
                if c.call("PING") == "PONG":
                    return p, time.monotonic() - t0
        except (OSError, B.BenchError, B.RespError):
            pass
        if time.monotonic() - t0 > 300:
            raise B.BenchError("%s did not answer PING" % binary)
        time.sleep(0.01)


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def private_dirty_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            return sum(int(l.split()[1]) for l in f if l.startswith("Private_Dirty:"))
    except OSError:
        return 0


def measure(name, binary, args, root):
    d = os.path.join(root, name)
    os.makedirs(d)
    port = B.free_port()
    p, _ = launch(binary, d, port)
    out = {}
    with B.Resp(port, timeout=600) as c:
        c.call("DEBUG", "POPULATE", str(args.keys), "key", str(args.value))
        t = time.monotonic()
        c.call("SAVE")
        out["save_s"] = time.monotonic() - t
    out["rdb_bytes"] = os.path.getsize(os.path.join(d, "dump.rdb"))
    stop(p)
    p, ready = launch(binary, d, port)
    out["ready_s"] = ready
    with open(os.path.join(d, "server.log"), errors="replace") as f:
        m = re.findall(r"DB loaded from disk: ([0-9.]+) seconds", f.read())
    out["load_s"] = float(m[-1]) if m else float("nan")

    # BGSAVE while clients write over the same keys
    rss0 = B.proc_rss_kb(p.pid)
    bench = subprocess.Popen([args.benchmark_bin, "-h", B.HOST, "-p", str(port), "-c", "20", "-n", "100000000",
                              "-r", str(args.keys), "-d", str(args.value), "-t", "set", "-q"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=B._die_with_parent)
    time.sleep(1.0)
    stall = [0.0]
    done = threading.Event()

    def prober():
        with B.Resp(port, timeout=60) as pc:
            while not done.is_set():
                t = time.monotonic()
                pc.call("PING")
                stall[0] = max(stall[0], time.monotonic() - t)
                time.sleep(0.001)

    th = threading.Thread(target=prober)
    th.start()
    # the same probe under the same load without a snapshot: the machine's own noise
    time.sleep(args.baseline_s)
    out["base_ping_ms"] = stall[0] * 1000.0
    stall[0] = 0.0
    with B.Resp(port, timeout=60) as c:
        c.call("BGSAVE")
        peak = 0
        t0 = time.monotonic()
        while True:
            kids = children(p.pid)
            cow = sum(private_dirty_kb(k) for k in kids)
            grow = max(0, B.proc_rss_kb(p.pid) - rss0)
            peak = max(peak, cow + grow)
            info = B.parse_info(c.call("INFO", "persistence"))
            if info.get("rdb_bgsave_in_progress") == "0" and time.monotonic() - t0 > 0.05:
                break
            time.sleep(0.005)
        out["bgsave_s"] = time.monotonic() - t0
        out["bgsave_status"] = info.get("rdb_last_bgsave_status")
        out["fork_ms"] = int(B.parse_info(c.call("INFO", "stats")).get("latest_fork_usec", "0")) / 1000.0
    done.set()
    th.join()
    bench.send_signal(signal.SIGTERM)
    bench.wait(timeout=30)
    out["bgsave_extra_mb"] = peak / 1024.0
    out["max_ping_ms"] = stall[0] * 1000.0
    stop(p)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vireo-bin", required=True)
    ap.add_argument("--redis-bin", default="/usr/bin/redis-server")
    ap.add_argument("--benchmark-bin", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    ap.add_argument("--keys", type=int, default=1000000)
    ap.add_argument("--value", type=int, default=100)
    ap.add_argument("--baseline-s", type=float, default=3.0, help="seconds of PING probing before the BGSAVE")
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds; the table shows medians")
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="vireo-persist-bench.")
    runs = {"redis": [], "vireo": []}
    try:
        for i in range(args.rounds):
            runs["redis"].append(measure("redis%d" % i, args.redis_bin, args, root))
            runs["vireo"].append(measure("vireo%d" % i, args.vireo_bin, args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def median(rs):
        out = {}
        for k in rs[0]:
            vals = [x[k] for x in rs]
            out[k] = statistics.median(vals) if isinstance(vals[0], (int, float)) else ",".join(sorted(set(vals)))
        return out

    r, v = median(runs["redis"]), median(runs["vireo"])
    rows = [
        ("SAVE time (s)", "save_s", "%.2f"),
        ("RDB size (MB)", "rdb_bytes", None),
        ("load time, logged (s)", "load_s", "%.2f"),
        ("restart until PING (s)", "ready_s", "%.2f"),
        ("BGSAVE duration under writes (s)", "bgsave_s", "%.2f"),
        ("BGSAVE extra memory: child CoW + parent RSS growth (MB)", "bgsave_extra_mb", "%.1f"),
        ("fork time, latest_fork_usec (ms)", "fork_ms", "%.2f"),
        ("longest PING under writes, before BGSAVE (ms)", "base_ping_ms", "%.1f"),
        ("longest PING during BGSAVE (ms)", "max_ping_ms", "%.1f"),
    ]
    print("Persistence, %d keys of %d bytes (DEBUG POPULATE); medians of %d interleaved round(s); ratio = vireo/redis\n"
          % (args.keys, args.value, args.rounds))
    print("| figure | redis | vireo | ratio |")
    print("|---|---:|---:|---:|")
    for title, k, fmt in rows:
        a, b = r[k], v[k]
        if k == "rdb_bytes":
            sa, sb = "%.1f" % (a / 1e6), "%.1f" % (b / 1e6)
        else:
            sa, sb = fmt % a, fmt % b
        print("| %s | %s | %s | %s |" % (title, sa, sb, ("%.2f" % (b / a)) if a else "n/a"))
    print("\nBGSAVE status: redis %s, vireo %s" % (r["bgsave_status"], v["bgsave_status"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
