#!/usr/bin/env python3
"""Side-by-side benchmark of vireo-server against the reference redis-server.

Driven by bench/run.sh, which builds vireo and chooses the options; this helper owns the rest:
starting both servers on free loopback ports with the same settings, running redis-benchmark
against them interleaved (redis, vireo, redis, vireo, ... for every test and pipeline), sampling
each server's CPU ticks from /proc/<pid>/stat around every run, measuring memory per key with
DEBUG POPULATE, and writing the Markdown report. It knows nothing of vireo's internals: both
servers are black boxes that speak RESP and take redis-server's command line.

Standard library only. Every server it starts gets PR_SET_PDEATHSIG (it dies with this process),
has its pid appended to the pid file that run.sh's exit trap kills, and is stopped in a finally
block, so no run leaves a server behind.
"""

import argparse
import ctypes
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"


class BenchError(Exception):
    """A failure that must stop the run: a dead server, an unparsable output, a wrong reply."""


# ---------------------------------------------------------------------------------------------
# A minimal RESP2 client: enough for PING, INFO, FLUSHALL, DBSIZE and DEBUG POPULATE.


class RespError(Exception):
    """An error reply (-ERR ...) from the server."""


class Resp:
    def __init__(self, port, timeout=300.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def call(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        reply = self._reply()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise BenchError("server closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise BenchError("unexpected RESP reply line %r" % line[:80])


def parse_info(text):
    fields = {}
    for line in text.decode(errors="replace").splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k.strip()] = v.strip()
    return fields


# ---------------------------------------------------------------------------------------------
# Server processes.


def _die_with_parent():
    """preexec_fn: ask the kernel to SIGTERM the server when this helper exits, however it exits."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass  # the pid file and the finally block still cover it


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_stat_ticks(pid):
    """utime + stime (all threads) of pid, in clock ticks, from /proc/<pid>/stat."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # the command name (field 2) may hold spaces and parentheses: split after the last ')'
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15
    return int(fields[11]), int(fields[12])


def proc_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError("no VmRSS in /proc/%d/status" % pid)


class Server:
    def __init__(self, name, binary, workroot, pidfile):
        self.name, self.binary, self.pidfile = name, binary, pidfile
        self.proc = None
        self.port = None
        self.dir = None
        self.workroot = workroot
        self.starts = 0

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        last_err = None
        for _attempt in range(3):  # a free port can be taken between probing and binding it
            self.starts += 1
            self.dir = os.path.join(self.workroot, "%s-%d" % (self.name, self.starts))
            os.makedirs(self.dir, exist_ok=True)
            self.logfile = os.path.join(self.dir, "server.log")
            self.port = free_port()
            args = [
                self.binary,
                "--port", str(self.port),
                "--bind", HOST,
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--logfile", self.logfile,
                "--dir", self.dir,
                "--enable-debug-command", "yes",
            ]
            stdout = open(os.path.join(self.dir, "stdout.log"), "wb")
            self.proc = subprocess.Popen(
                args, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=stdout,
                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, start_new_session=True)
            stdout.close()
            with open(self.pidfile, "a") as f:
                f.write("%d\n" % self.proc.pid)
            try:
                self.wait_ping()
                return
            except BenchError as e:
                last_err = e
                self.stop()
                if "in use" not in self.log_tail():
                    break
        raise last_err

    def wait_ping(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        last = "no attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("%s exited with status %s while starting\n%s"
                                 % (self.name, self.proc.returncode, self.log_tail()))
            try:
                with Resp(self.port, timeout=2.0) as c:
                    r = c.call("PING")
                    if r == "PONG":
                        return
                    last = "PING answered %r" % (r,)
            except (OSError, BenchError, RespError) as e:
                last = str(e)
            time.sleep(0.05)
        raise BenchError("%s did not answer PING on port %d within %.0fs (%s)\n%s"
                         % (self.name, self.port, timeout, last, self.log_tail()))

    def check_alive(self):
        if self.proc.poll() is not None:
            raise BenchError("%s (pid %d) died with status %s\n%s"
                             % (self.name, self.pid, self.proc.returncode, self.log_tail()))

    def log_tail(self, lines=20):
        out = []
        for path in (self.logfile, os.path.join(self.dir, "stdout.log")):
            try:
                with open(path, errors="replace") as f:
                    tail = f.read().splitlines()[-lines:]
                if tail:
                    out.append("--- %s ---\n%s" % (path, "\n".join(tail)))
            except OSError:
                pass
        return "\n".join(out) or "(no log output)"

    def call(self, *args):
        self.check_alive()
        try:
            with Resp(self.port) as c:
                return c.call(*args)
        except RespError as e:
            raise BenchError("%s answered %s with an error: %s" % (self.name, " ".join(args), e))
        except OSError as e:
            self.check_alive()
            raise BenchError("%s: %s failed: %s" % (self.name, " ".join(args), e))

    def info(self, section):
        return parse_info(self.call("INFO", section))

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)


# ---------------------------------------------------------------------------------------------
# redis-benchmark runs.


def failed_calls(commandstats, may_be_empty):
    """Sum of failed_calls + rejected_calls over INFO commandstats, CONFIG left out; None if the
    section has no such counters (an empty section is fine before anything ran)."""
    total, seen = 0, False
    for key, value in commandstats.items():
        if not key.startswith("cmdstat_") or key.startswith("cmdstat_config"):
            continue
        for part in value.split(","):
            name, _, num = part.partition("=")
            if name in ("failed_calls", "rejected_calls"):
                total += int(num)
                seen = True
    return total if seen or (may_be_empty and not commandstats) else None


# Tests that redis-benchmark's -t does not have, run as explicit commands (after -t's zadd has
# filled myzset, for zrange). __rand_int__ is replaced by redis-benchmark within -r.
CUSTOM_TESTS = {
    "zrange": ["ZRANGE", "myzset", "0", "9", "WITHSCORES"],
    "xadd": ["XADD", "bench:stream", "MAXLEN", "~", "100000", "*", "field", "__rand_int__"],
    "hget": ["HGET", "myhash", "element:__rand_int__"],
}


def run_benchmark(args, server, test, pipeline, n):
    """One redis-benchmark run against server; returns a dict of the figures for the report."""
    cmd = [args.benchmark_bin, "-h", HOST, "-p", str(server.port), "-c", str(args.clients),
           "-r", str(args.keyspace), "-n", str(n), "-P", str(pipeline), "--csv"]
    if test in CUSTOM_TESTS:
        cmd += CUSTOM_TESTS[test]
    else:
        cmd += ["-t", test]
    stats0, cmds0 = server.info("stats"), server.info("commandstats")
    server.check_alive()
    u0, s0 = proc_stat_ticks(server.pid)
    t0 = time.monotonic()
    try:
        res = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                             timeout=args.run_timeout)
    except subprocess.TimeoutExpired:
        server.check_alive()
        raise BenchError("redis-benchmark against %s (%s P=%d n=%d) took more than %ds"
                         % (server.name, test, pipeline, n, args.run_timeout))
    wall = time.monotonic() - t0
    server.check_alive()
    u1, s1 = proc_stat_ticks(server.pid)
    stats1, cmds1 = server.info("stats"), server.info("commandstats")
    if res.returncode != 0:
        raise BenchError("redis-benchmark against %s (%s P=%d) exited %d:\n%s%s"
                         % (server.name, test, pipeline, res.returncode, res.stdout, res.stderr))
    rps = None
    for line in res.stdout.splitlines():
        m = re.match(r'^"([^"]*)","([0-9.]+)"', line)
        if m and m.group(1) != "test":
            rps = float(m.group(2))
            title = m.group(1)
            break
    if rps is None:
        raise BenchError("no result row in redis-benchmark output for %s %s P=%d:\n%s%s"
                         % (server.name, test, pipeline, res.stdout, res.stderr))
    # Sanity: the server must have executed the requests, and none may have failed. redis-benchmark
    # itself exits on an error reply to a benchmarked command, but not on one to the CONFIG GETs
    # it sends first; those are left out here and noted in the report instead.
    warn = []
    field = "total_commands_processed"
    if field in stats0 and field in stats1:
        delta = int(stats1[field]) - int(stats0[field])
        if delta < n:
            raise BenchError("%s processed %d commands during %s P=%d, expected >= %d"
                             % (server.name, delta, test, pipeline, n))
    else:
        warn.append("INFO stats %s" % field)
    failed0, failed1 = failed_calls(cmds0, True), failed_calls(cmds1, False)
    if failed0 is None or failed1 is None:
        warn.append("INFO commandstats failed_calls")
    elif failed1 - failed0:
        raise BenchError("%s failed %d calls during %s P=%d (INFO commandstats)"
                         % (server.name, failed1 - failed0, test, pipeline))
    if "Could not fetch server CONFIG" in res.stderr:
        warn.append("CONFIG GET (redis-benchmark could not fetch server CONFIG)")
    user, sys_ = u1 - u0, s1 - s0
    return {
        "server": server.name, "test": test, "title": title, "pipeline": pipeline, "n": n,
        "rps": rps, "wall": wall, "user_ticks": user, "sys_ticks": sys_,
        "cpu_us_per_req": (user + sys_) * 1e6 / CLK_TCK / n,
        "missing_info": warn,
    }


def warm_up(args, servers, test, pipeline):
    """A short discarded run of test against each server (redis first); returns redis's rps."""
    probe = min(20000 * pipeline, 200000)
    return [run_benchmark(args, servers[name], test, pipeline, probe)["rps"]
            for name in ("redis", "vireo")][0]


def n_for(rps, duration):
    """Requests for about duration seconds at rps: two significant digits, at least 10000."""
    n = rps * duration
    digits = max(len(str(int(n))) - 2, 0)
    return max(10000, int(round(n, -digits)))


# ---------------------------------------------------------------------------------------------
# Memory per key.


def measure_memory(args, server):
    server.call("FLUSHALL")
    if server.call("DBSIZE") != 0:
        raise BenchError("%s: DBSIZE is not 0 after FLUSHALL" % server.name)
    used0 = int(server.info("memory")["used_memory"])
    rss0 = proc_rss_kb(server.pid)
    t0 = time.monotonic()
    r = server.call("DEBUG", "POPULATE", str(args.populate), "key", str(args.value_size))
    took = time.monotonic() - t0
    if r != "OK":
        raise BenchError("%s: DEBUG POPULATE answered %r" % (server.name, r))
    size = server.call("DBSIZE")
    if size != args.populate:
        raise BenchError("%s: DBSIZE is %r after DEBUG POPULATE %d" % (server.name, size, args.populate))
    used1 = int(server.info("memory")["used_memory"])
    rss1 = proc_rss_kb(server.pid)
    return {
        "server": server.name, "used_before": used0, "used_after": used1,
        "rss_before_kb": rss0, "rss_after_kb": rss1, "populate_s": took,
        "used_per_key": (used1 - used0) / args.populate,
        "rss_per_key": (rss1 - rss0) * 1024 / args.populate,
    }


# Memory per element of one big collection: ELEMENTS members added in pipelined batches to one
# key of each type, (used_memory after - before) / ELEMENTS.
ELEMENT_KINDS = ("hash", "set", "zset", "list")


def element_batches(kind, count, batch=500):
    for start in range(0, count, batch):
        idx = range(start, min(start + batch, count))
        if kind == "hash":
            args = ["HSET", "big:hash"]
            for i in idx:
                args += ["field:%d" % i, "value-%010d" % i]
        elif kind == "set":
            args = ["SADD", "big:set"] + ["member:%d" % i for i in idx]
        elif kind == "zset":
            args = ["ZADD", "big:zset"]
            for i in idx:
                args += [str(i), "member:%d" % i]
        else:
            args = ["RPUSH", "big:list"] + ["value-%010d" % i for i in idx]
        yield args


def measure_elements(args, server, kind):
    server.call("FLUSHALL")
    used0 = int(server.info("memory")["used_memory"])
    with Resp(server.port) as c:
        pending = 0
        for cmd in element_batches(kind, args.elements):
            out = [b"*%d\r\n" % len(cmd)]
            for a in cmd:
                a = a.encode()
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
            c.sock.sendall(b"".join(out))
            pending += 1
            if pending == 32:
                for _ in range(pending):
                    r = c._reply()
                    if isinstance(r, RespError):
                        raise r
                pending = 0
        for _ in range(pending):
            r = c._reply()
            if isinstance(r, RespError):
                raise r
    used1 = int(server.info("memory")["used_memory"])
    enc = server.call("OBJECT", "ENCODING", "big:" + kind)
    enc = enc.decode() if isinstance(enc, bytes) else enc
    return {"used_per_element": (used1 - used0) / args.elements, "encoding": enc}


# ---------------------------------------------------------------------------------------------
# Report.


def fmt_rps(x):
    return "{:,.0f}".format(x)


def ratio(a, b):
    return "%.2f" % (a / b) if b else "n/a"


def render(args, meta, runs, memory, elements=None):
    out = []
    out.append("# vireo vs redis-server: %s" % meta["date"])
    out.append("")
    for k in ("vireo commit", "vireo binary", "redis binary", "redis-benchmark", "machine",
              "settings"):
        out.append("- %s: %s" % (k, meta[k]))
    out.append("")
    out.append("Medians over %d interleaved rounds. CPU = server utime+stime from /proc/PID/stat "
               "(CLK_TCK %d) per request; ratio < 1.00 means vireo is cheaper/faster." % (args.rounds, CLK_TCK))
    out.append("")
    out.append("| test | pipeline | redis rps (median) | vireo rps (median) | rps ratio (vireo/redis) "
               "| redis µs CPU/req | vireo µs CPU/req | CPU ratio (vireo/redis) |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for test in args.tests:
        for p in args.pipelines:
            sel = {name: [r for r in runs if r["test"] == test and r["pipeline"] == p and r["server"] == name]
                   for name in ("redis", "vireo")}
            if not sel["redis"] or not sel["vireo"]:
                continue
            title = sel["redis"][0]["title"]
            rr = statistics.median(r["rps"] for r in sel["redis"])
            vr = statistics.median(r["rps"] for r in sel["vireo"])
            rc = statistics.median(r["cpu_us_per_req"] for r in sel["redis"])
            vc = statistics.median(r["cpu_us_per_req"] for r in sel["vireo"])
            out.append("| %s | %d | %s | %s | %s | %.2f | %.2f | %s |"
                       % (title, p, fmt_rps(rr), fmt_rps(vr), ratio(vr, rr), rc, vc, ratio(vc, rc)))
    if memory:
        out.append("")
        out.append("Memory per key: DEBUG POPULATE %d key %d on a fresh, flushed server; "
                   "(after - before) / %d." % (args.populate, args.value_size, args.populate))
        out.append("")
        out.append("| memory | redis bytes/key | vireo bytes/key | ratio (vireo/redis) |")
        out.append("|---|---:|---:|---:|")
        r, v = memory["redis"], memory["vireo"]
        out.append("| used_memory (INFO memory) | %.1f | %.1f | %s |"
                   % (r["used_per_key"], v["used_per_key"], ratio(v["used_per_key"], r["used_per_key"])))
        out.append("| RSS (VmRSS) | %.1f | %.1f | %s |"
                   % (r["rss_per_key"], v["rss_per_key"], ratio(v["rss_per_key"], r["rss_per_key"])))
    if elements:
        out.append("")
        out.append("Memory per element: one key holding %d elements (hash: field:N -> 16-byte value; "
                   "set/zset: member:N; list: 16-byte values), added in pipelined batches of 500; "
                   "(used_memory after - before) / %d." % (args.elements, args.elements))
        out.append("")
        out.append("| type | redis bytes/element | vireo bytes/element | ratio (vireo/redis) | encodings (redis / vireo) |")
        out.append("|---|---:|---:|---:|---|")
        for kind in ELEMENT_KINDS:
            if kind not in elements["redis"] or kind not in elements["vireo"]:
                continue
            r, v = elements["redis"][kind], elements["vireo"][kind]
            out.append("| %s | %.1f | %.1f | %s | %s / %s |"
                       % (kind, r["used_per_element"], v["used_per_element"],
                          ratio(v["used_per_element"], r["used_per_element"]), r["encoding"], v["encoding"]))
    if args.skip_memory:
        out.append("")
        out.append("Memory per key: skipped (SKIP_MEMORY).")
    missing = sorted({f"{r['server']}: {f}" for r in runs for f in r["missing_info"]})
    if missing:
        out.append("")
        out.append("Not checked or not supported: " + ", ".join(missing))
    table_end = len(out)

    out.append("")
    out.append("## Raw runs")
    out.append("")
    out.append("In run order. ticks are CLK_TCK units of server CPU during the run.")
    out.append("")
    out.append("| round | test | P | server | n | wall s | rps | user ticks | sys ticks | µs CPU/req |")
    out.append("|---:|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        out.append("| %s | %s | %d | %s | %d | %.2f | %s | %d | %d | %.2f |"
                   % (r["round"], r["title"], r["pipeline"], r["server"], r["n"], r["wall"],
                      fmt_rps(r["rps"]), r["user_ticks"], r["sys_ticks"], r["cpu_us_per_req"]))
    if memory:
        out.append("")
        out.append("| server | used_memory before | after | VmRSS before kB | after kB | DEBUG POPULATE s |")
        out.append("|---|---:|---:|---:|---:|---:|")
        for name in ("redis", "vireo"):
            m = memory[name]
            out.append("| %s | %d | %d | %d | %d | %.2f |"
                       % (name, m["used_before"], m["used_after"], m["rss_before_kb"],
                          m["rss_after_kb"], m["populate_s"]))
    return "\n".join(out[:table_end]) + "\n", "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown model"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--redis-bin", required=True)
    ap.add_argument("--vireo-bin", required=True)
    ap.add_argument("--benchmark-bin", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--n", default="auto", help="requests per run, or 'auto' (about --duration s each)")
    ap.add_argument("--duration", type=float, default=2.0)
    ap.add_argument("--tests", default="set,get,incr,mset")
    ap.add_argument("--pipelines", default="1,16")
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keyspace", type=int, default=100000)
    ap.add_argument("--populate", type=int, default=1000000)
    ap.add_argument("--value-size", type=int, default=16)
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--elements", type=int, default=1000000, help="elements per collection in the memory part")
    ap.add_argument("--element-kinds", default=",".join(ELEMENT_KINDS),
                    help="collections measured per element (hash,set,zset,list; empty for none)")
    ap.add_argument("--run-timeout", type=int, default=300)
    ap.add_argument("--out", help="write the report (table and raw runs) here")
    ap.add_argument("--meta", action="append", default=[], help="key=value for the report header")
    args = ap.parse_args()
    args.tests = [t.strip().lower() for t in args.tests.split(",") if t.strip()]
    args.pipelines = [int(p) for p in args.pipelines.split(",") if p.strip()]
    args.element_kinds = [k.strip() for k in args.element_kinds.split(",") if k.strip()]
    if any(k not in ELEMENT_KINDS for k in args.element_kinds):
        ap.error("element kinds are among " + ",".join(ELEMENT_KINDS))
    if args.rounds < 1 or not args.tests or not args.pipelines or min(args.pipelines) < 1:
        ap.error("ROUNDS must be >= 1, TESTS and PIPELINES non-empty, pipelines >= 1")
    if args.n != "auto" and (not args.n.isdigit() or int(args.n) < 1):
        ap.error("N must be a positive integer or 'auto'")

    meta = dict(kv.split("=", 1) for kv in args.meta)
    meta.setdefault("date", time.strftime("%Y-%m-%d %H:%M:%S %z"))
    meta.setdefault("vireo commit", "?")
    meta["vireo binary"] = args.vireo_bin
    meta["redis binary"] = args.redis_bin
    meta["redis-benchmark"] = "%s -c %d -r %d -n N -P P -t TEST --csv" % (
        args.benchmark_bin, args.clients, args.keyspace)
    meta["machine"] = "%d CPUs (%s), Linux %s" % (os.cpu_count(), cpu_model(), os.uname().release)
    meta["settings"] = "ROUNDS=%d N=%s%s TESTS=%s PIPELINES=%s" % (
        args.rounds, args.n, " (about %gs per run)" % args.duration if args.n == "auto" else "",
        ",".join(args.tests), ",".join(map(str, args.pipelines)))

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)  # unwinds through the finally that stops the servers

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # run.sh starts us with SIGINT ignored

    servers = {"redis": Server("redis", args.redis_bin, args.workdir, args.pidfile),
               "vireo": Server("vireo", args.vireo_bin, args.workdir, args.pidfile)}
    runs, memory, elements = [], None, None
    try:
        for s in servers.values():
            s.start()
            log("started %s pid %d on port %d" % (s.name, s.pid, s.port))
        for test in args.tests:
            for p in args.pipelines:
                probe_rps = warm_up(args, servers, test, p)
                n = n_for(probe_rps, args.duration) if args.n == "auto" else int(args.n)
                log("%s P=%d: n=%d (warm-up on redis: %s rps)" % (test, p, n, fmt_rps(probe_rps)))
                for rnd in range(1, args.rounds + 1):
                    for name in ("redis", "vireo"):
                        r = run_benchmark(args, servers[name], test, p, n)
                        r["round"] = rnd
                        runs.append(r)
                        log("  round %d %-5s %-14s P=%-3d %12s rps  %6.2f µs CPU/req"
                            % (rnd, name, r["title"], p, fmt_rps(r["rps"]), r["cpu_us_per_req"]))
        for s in servers.values():
            s.stop()
        if not args.skip_memory:
            # fresh servers, so pages freed by the benchmarks do not hide the growth in RSS
            memory = {}
            for name in ("redis", "vireo"):
                s = servers[name]
                s.start()
                log("memory: %s pid %d, DEBUG POPULATE %d" % (name, s.pid, args.populate))
                memory[name] = measure_memory(args, s)
                s.stop()
            elements = {"redis": {}, "vireo": {}}
            for kind in args.element_kinds:
                for name in ("redis", "vireo"):
                    s = servers[name]
                    s.start()
                    log("memory: %s pid %d, one %s of %d elements" % (name, s.pid, kind, args.elements))
                    elements[name][kind] = measure_elements(args, s, kind)
                    s.stop()
    except (BenchError, RespError, OSError) as e:
        log("\nbench: FAILED: %s: %s" % (type(e).__name__, e))
        return 1
    except KeyboardInterrupt:
        log("\nbench: interrupted")
        return 130
    finally:
        for s in servers.values():
            s.stop()

    table, full = render(args, meta, runs, memory, elements)
    print(table, end="")
    if args.out:
        with open(args.out, "w") as f:
            f.write(full)
        log("\nwritten to %s" % args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
