#!/usr/bin/env python3
"""Replication benchmark: vireo-server and redis-server side by side, as master and as replica.

Four pairs, always run in this order inside every round so that a slow period of the machine is
spread over all of them: redis->redis (the baseline), vireo->redis, vireo->vireo, redis->vireo
(master->replica). Parts:

1. full sync: the master holds KEYS keys (DEBUG POPULATE, VALUE bytes each); a fresh, empty
   replica gets REPLICAOF; the time until its INFO shows master_link_status:up with
   master_sync_in_progress:0 and its DBSIZE equals the master's. Disk (repl-diskless-sync no)
   and diskless (yes, repl-diskless-sync-delay 0) transfers.
2. lag under load: redis-benchmark -P 16 -t set against the master of a synced pair for about
   LAG_SECONDS; every 50 ms the master's master_repl_offset and the replica's slave_repl_offset
   are read and their difference is the byte lag. After the load stops: how long until the lag
   is 0 (kept up = within 1 s, the link never dropped and no new full sync happened). A vireo
   master's own slaveN lag_ms field is sampled too.
3. partial resync: CLIENT KILL TYPE master on the replica of a synced pair, then WRITES SETs on
   the master while the link is down; the time until the offsets are equal again, with the
   master's sync_partial_ok grown and its sync_full unchanged.
4. master CPU per SET: utime+stime of the master (from /proc/<pid>/stat) for a fixed number of
   pipelined SETs, with no replica and with one redis replica attached.

A pair that fails (an error reply, a timeout, a server that dies) is reported as
"n/a (error ...)" and the other pairs go on. Standard library only; the RESP client and the
process helpers come from bench.py. See bench/README.md, section Replication.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402

PAIRS = (("redis", "redis"), ("vireo", "redis"), ("vireo", "vireo"), ("redis", "vireo"))
BASELINE = ("redis", "redis")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def pair_name(p):
    return "%s->%s" % p


class PairError(Exception):
    """A pair could not be measured; reported as n/a with this text."""


# ---------------------------------------------------------------------------------------------
# Servers


class Srv:
    """One server process on a free loopback port, with a control connection."""

    def __init__(self, kind, args, root, extra=()):
        self.kind = kind
        self.binary = args.vireo_bin if kind == "vireo" else args.redis_bin
        self.proc = None
        self.conn = None
        last = None
        for attempt in range(3):  # a probed port can be taken before we bind it
            Srv.serial += 1
            self.dir = os.path.join(root, "%s-%d" % (kind, Srv.serial))
            os.makedirs(self.dir)
            self.logfile = os.path.join(self.dir, "server.log")
            self.port = B.free_port()
            argv = [self.binary, "--port", str(self.port), "--bind", B.HOST, "--save", "",
                    "--appendonly", "no", "--daemonize", "no", "--dir", self.dir,
                    "--logfile", self.logfile, "--enable-debug-command", "yes"] + list(extra)
            out = open(os.path.join(self.dir, "stdout.log"), "wb")
            self.proc = subprocess.Popen(argv, cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, preexec_fn=B._die_with_parent,
                                         start_new_session=True)
            out.close()
            with open(args.pidfile, "a") as f:
                f.write("%d\n" % self.proc.pid)
            try:
                self._wait_ping()
                self.conn = B.Resp(self.port, timeout=args.call_timeout)
                return
            except B.BenchError as e:
                last = e
                self.stop()
        raise B.BenchError("%s did not start: %s" % (kind, last))

    serial = 0

    def _wait_ping(self):
        t0 = time.monotonic()
        while time.monotonic() - t0 < 30:
            if self.proc.poll() is not None:
                raise B.BenchError("exited with status %s: %s" % (self.proc.returncode, self.log_tail(3)))
            try:
                with B.Resp(self.port, timeout=2.0) as c:
                    if c.call("PING") == "PONG":
                        return
            except (OSError, B.BenchError, B.RespError):
                pass
            time.sleep(0.01)
        raise B.BenchError("no PONG within 30 s")

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def call(self, *a):
        if not self.alive():
            raise PairError("%s (pid %d) died: %s" % (self.kind, self.proc.pid, self.log_tail(3)))
        try:
            return self.conn.call(*a)
        except socket.timeout:
            raise PairError("%s: %s timed out" % (self.kind, a[0]))
        except B.BenchError as e:
            raise PairError("%s: %s: %s" % (self.kind, a[0], e))

    def info(self, *sections):
        return B.parse_info(self.call("INFO", *sections))

    def cpu_ticks(self):
        u, s = B.proc_stat_ticks(self.pid)
        return u + s

    def log_tail(self, n=5):
        try:
            with open(self.logfile, errors="replace") as f:
                return " | ".join(l.rstrip() for l in f.readlines()[-n:])
        except OSError:
            return "(no log)"

    def log_lines(self, pattern):
        try:
            with open(self.logfile, errors="replace") as f:
                return [l.rstrip() for l in f if re.search(pattern, l)]
        except OSError:
            return []

    def stop(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # keep the logs, drop the snapshots (tens of MB each at 1M keys)
        if self.dir and os.path.isdir(self.dir):
            for name in os.listdir(self.dir):
                if name.endswith(".rdb"):
                    try:
                        os.unlink(os.path.join(self.dir, name))
                    except OSError:
                        pass


def replicate(replica, master):
    try:
        r = replica.call("REPLICAOF", B.HOST, str(master.port))
    except B.RespError as e:
        raise PairError("REPLICAOF: %s" % e)
    if r != "OK" and not str(r).startswith("OK"):
        raise PairError("REPLICAOF answered %r" % r)


def int_field(info, name, who):
    try:
        return int(info[name])
    except (KeyError, ValueError):
        raise PairError("%s: no %s in INFO" % (who, name))


def wait_synced(replica, master, want_keys, timeout, poll=0.01):
    """Polls the replica until the link is up, no sync is in progress and DBSIZE matches.
    Returns the phase times (seconds since the call) seen while polling."""
    t0 = time.monotonic()
    seen = {}
    while True:
        now = time.monotonic() - t0
        if now > timeout:
            raise PairError("no sync within %d s (replica: %s)" % (timeout, replica.log_tail(2)))
        if not master.alive():
            raise PairError("master %s died: %s" % (master.kind, master.log_tail(3)))
        info = replica.info("replication")
        if info.get("master_sync_in_progress") == "1":
            seen.setdefault("transfer", now)
            if replica.info("persistence").get("loading") == "1":
                seen.setdefault("loading", now)
        if info.get("master_link_status") == "up" and info.get("master_sync_in_progress") == "0":
            try:
                size = replica.call("DBSIZE")
            except B.RespError:  # LOADING
                size = None
            if size == want_keys:
                seen["done"] = now
                return seen
        time.sleep(poll)


def wait_master_idle(master, timeout=60):
    """After a replica went away: the master has no replica and no snapshot child left."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        info = master.info("replication")
        pers = master.info("persistence")
        if info.get("connected_slaves") == "0" and pers.get("rdb_bgsave_in_progress", "0") == "0":
            return
        time.sleep(0.02)
    raise PairError("master %s still has a replica or a child after %d s" % (master.kind, timeout))


# ---------------------------------------------------------------------------------------------
# 1. Full sync


def part_full_sync(args, root):
    res = {}  # (mode, pair) -> {"times": [...], "phases": [...], "error": str}
    masters = {}
    try:
        for kind in ("redis", "vireo"):
            m = Srv(kind, args, root, ["--repl-diskless-sync-delay", "0"])
            masters[kind] = m
            t = time.monotonic()
            m.call("DEBUG", "POPULATE", str(args.keys), "key", str(args.value))
            n = m.call("DBSIZE")
            if n != args.keys:
                raise B.BenchError("%s master: DBSIZE %r after DEBUG POPULATE %d" % (kind, n, args.keys))
            log("full sync: %s master pid %d populated %d keys in %.1f s"
                % (kind, m.pid, args.keys, time.monotonic() - t))
        for mode in ("disk", "diskless"):
            for m in masters.values():
                m.call("CONFIG", "SET", "repl-diskless-sync", "yes" if mode == "diskless" else "no")
                m.call("CONFIG", "SET", "repl-diskless-sync-delay", "0")
            for rnd in range(1, args.rounds + 1):
                for pair in PAIRS:
                    r = res.setdefault((mode, pair), {"times": [], "phases": [], "error": None})
                    if r["error"]:
                        continue
                    master = masters[pair[0]]
                    if not master.alive():
                        r["error"] = "master died earlier: %s" % master.log_tail(2)
                        continue
                    replica = None
                    try:
                        replica = Srv(pair[1], args, root)
                        t0 = time.monotonic()
                        replicate(replica, master)
                        seen = wait_synced(replica, master, args.keys, args.sync_timeout)
                        took = time.monotonic() - t0
                        r["times"].append(took)
                        r["phases"].append(seen)
                        log("  %-8s round %d %-12s %6.2f s  (transfer seen at %.2f s, loading at %.2f s)"
                            % (mode, rnd, pair_name(pair), took, seen.get("transfer", float("nan")),
                               seen.get("loading", float("nan"))))
                    except (PairError, B.RespError, B.BenchError, OSError) as e:
                        r["error"] = str(e)
                        log("  %-8s round %d %-12s n/a: %s" % (mode, rnd, pair_name(pair), e))
                    finally:
                        if replica is not None:
                            replica.stop()
                    try:
                        if master.alive():
                            wait_master_idle(master)
                    except (PairError, B.RespError) as e:
                        log("  master %s not idle: %s" % (master.kind, e))
    finally:
        for m in masters.values():
            m.stop()
    return res


# ---------------------------------------------------------------------------------------------
# 2. Lag under load


def slave0_field(info, field):
    line = info.get("slave0", "")
    m = re.search(r"(?:^|,)%s=(-?\d+)" % field, line)
    return int(m.group(1)) if m else None


def lag_sample(master, replica):
    mi = master.info("replication")
    t = time.monotonic()
    ri = replica.info("replication")
    lag_sample.replica_info_s = time.monotonic() - t
    moff = int_field(mi, "master_repl_offset", "master")
    roff = int_field(ri, "slave_repl_offset", "replica")
    return moff, roff, ri.get("master_link_status"), slave0_field(mi, "lag_ms")


def first_write_delay(master, replica, timeout):
    """Right after a full sync: one SET on the master, and the time until the replica's offset
    reaches the master's. Also makes sure the stream runs before the load starts."""
    master.call("SET", "probe:first-write", "1")
    want = int_field(master.info("replication"), "master_repl_offset", "master")
    t0 = time.monotonic()
    while int_field(replica.info("replication"), "slave_repl_offset", "replica") < want:
        if time.monotonic() - t0 > timeout:
            raise PairError("the first write after the sync did not reach the replica in %d s" % timeout)
        time.sleep(0.001)
    return time.monotonic() - t0


def run_lag(args, root, pair):
    master = Srv(pair[0], args, root, ["--repl-backlog-size", args.backlog, "--repl-diskless-sync-delay", "0"])
    replica = None
    bench = None
    try:
        replica = Srv(pair[1], args, root)
        replicate(replica, master)
        wait_synced(replica, master, 0, args.sync_timeout)
        first_write = first_write_delay(master, replica, args.catchup_timeout)
        full0 = int_field(master.info("stats"), "sync_full", "master")
        cmds0 = int_field(master.info("stats"), "total_commands_processed", "master")
        off0 = int_field(master.info("replication"), "master_repl_offset", "master")
        cpu0 = (master.cpu_ticks(), replica.cpu_ticks())
        argv = [args.benchmark_bin, "-h", B.HOST, "-p", str(master.port), "-c", str(args.lag_clients),
                "-P", "16", "-t", "set", "-r", str(args.keyspace), "-d", str(args.value),
                "-n", "2000000000", "-q"]
        bench = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 preexec_fn=B._die_with_parent)
        samples = []  # (t, byte lag, lag_ms or None)
        link_down = 0
        info_max = 0.0
        t0 = time.monotonic()
        nxt = t0
        while time.monotonic() - t0 < args.lag_seconds:
            if bench.poll() is not None:
                raise PairError("redis-benchmark exited early: %s" % bench.stderr.read().decode(errors="replace")[-300:])
            moff, roff, link, lag_ms = lag_sample(master, replica)
            info_max = max(info_max, lag_sample.replica_info_s)
            if link != "up":
                link_down += 1
            samples.append((time.monotonic() - t0, max(0, moff - roff), lag_ms))
            nxt += 0.05
            time.sleep(max(0.0, nxt - time.monotonic()))
        bench.send_signal(signal.SIGTERM)
        bench.wait(timeout=30)
        t_stop = time.monotonic()
        load_s = t_stop - t0
        cpu1 = (master.cpu_ticks(), replica.cpu_ticks())
        # catch-up: the master's offset has stopped moving and the replica has reached it
        caught = None
        prev_m = None
        while time.monotonic() - t_stop < args.catchup_timeout:
            moff, roff, link, _ = lag_sample(master, replica)
            if roff >= moff and moff == prev_m and link == "up":
                caught = time.monotonic() - t_stop
                break
            prev_m = moff
            time.sleep(0.01)
        st = master.info("stats")
        full1 = int_field(st, "sync_full", "master")
        cmds1 = int_field(st, "total_commands_processed", "master")
        off1 = int_field(master.info("replication"), "master_repl_offset", "master")
        mdb = master.call("DBSIZE")
        rdb = replica.call("DBSIZE") if caught is not None else None
        lags = [s[1] for s in samples]
        lag_ms = [s[2] for s in samples if s[2] is not None]
        notes = []
        if full1 != full0:
            notes.append("master did %d new full sync(s) during the load" % (full1 - full0))
        if link_down:
            notes.append("replica link not up in %d of %d samples" % (link_down, len(samples)))
        if caught is not None and rdb != mdb:
            notes.append("DBSIZE master %s replica %s after catch-up" % (mdb, rdb))
        drops = master.log_lines(r"(?i)(closing|disconnect|output buffer|scheduled to be closed)")
        if drops:
            notes.append("master log: " + drops[-1][-160:])
        return {
            "first_write_s": first_write,
            "load_s": load_s,
            "sets_per_s": (cmds1 - cmds0) / load_s,
            "stream_mb_per_s": (off1 - off0) / load_s / 1e6,
            "max_lag": max(lags) if lags else 0,
            "mean_lag": statistics.mean(lags) if lags else 0,
            "samples": len(samples),
            "replica_info_max_s": info_max,
            "max_lag_ms": max(lag_ms) if lag_ms else None,
            "mean_lag_ms": statistics.mean(lag_ms) if lag_ms else None,
            "catchup_s": caught,
            "kept_up": caught is not None and caught <= 1.0 and not notes,
            "master_cpu_s": (cpu1[0] - cpu0[0]) / B.CLK_TCK,
            "replica_cpu_s": (cpu1[1] - cpu0[1]) / B.CLK_TCK,
            "notes": notes,
        }
    finally:
        if bench is not None and bench.poll() is None:
            bench.kill()
            bench.wait()
        if replica is not None:
            replica.stop()
        master.stop()


def part_lag(args, root):
    res = {}
    for rnd in range(1, args.lag_rounds + 1):
        for pair in PAIRS:
            r = res.setdefault(pair, {"runs": [], "error": None})
            if r["error"]:
                continue
            try:
                x = run_lag(args, root, pair)
                r["runs"].append(x)
                log("  lag round %d %-12s %8.0f SET/s  max %8.0f B  mean %8.0f B  lag_ms max %s  caught up %s%s"
                    % (rnd, pair_name(pair), x["sets_per_s"], x["max_lag"], x["mean_lag"],
                       x["max_lag_ms"], "%.0f ms" % (x["catchup_s"] * 1000) if x["catchup_s"] is not None else "NO",
                       ("  [" + "; ".join(x["notes"]) + "]") if x["notes"] else ""))
            except (PairError, B.RespError, B.BenchError, OSError) as e:
                r["error"] = str(e)
                log("  lag round %d %-12s n/a: %s" % (rnd, pair_name(pair), e))
    return res


# ---------------------------------------------------------------------------------------------
# 3. Partial resync


def pipeline_sets(srv, count, value, tag):
    payload = b"x" * value
    with B.Resp(srv.port, timeout=60) as c:
        for start in range(0, count, 1000):
            out = []
            n = min(1000, count - start)
            for i in range(start, start + n):
                k = b"psync:%s:%d" % (tag.encode(), i)
                out.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(payload), payload))
            c.sock.sendall(b"".join(out))
            for _ in range(n):
                r = c._reply()
                if isinstance(r, B.RespError):
                    raise r


def wait_gone(master, timeout=10):
    t0 = time.monotonic()
    while master.info("replication").get("connected_slaves") != "0":
        if time.monotonic() - t0 > timeout:
            raise PairError("master %s still lists its replica after CLIENT KILL" % master.kind)
        time.sleep(0.002)


def part_psync(args, root):
    res = {}
    live = {}
    try:
        for pair in PAIRS:
            res[pair] = {"total": [], "after_psync": [], "error": None}
            master = replica = None
            try:
                master = Srv(pair[0], args, root, ["--repl-backlog-size", args.backlog, "--repl-diskless-sync-delay", "0"])
                replica = Srv(pair[1], args, root)
                live[pair] = (master, replica)
                master.call("DEBUG", "POPULATE", "10000", "key", str(args.value))
                replicate(replica, master)
                wait_synced(replica, master, 10000, args.sync_timeout)
            except (PairError, B.RespError, B.BenchError, OSError) as e:
                res[pair]["error"] = str(e)
                log("  psync %-12s n/a: %s" % (pair_name(pair), e))
        for rnd in range(1, args.psync_rounds + 1):
            for pair in PAIRS:
                r = res[pair]
                if r["error"]:
                    continue
                master, replica = live[pair]
                try:
                    st = master.info("stats")
                    full0 = int_field(st, "sync_full", "master")
                    ok0 = int_field(st, "sync_partial_ok", "master")
                    # freeze the replica, cut the link from the master's side and write while it
                    # is down; the replica sees the cut when it runs again and reconnects
                    os.kill(replica.pid, signal.SIGSTOP)
                    try:
                        killed = master.call("CLIENT", "KILL", "TYPE", "replica")
                        if killed != 1:
                            raise PairError("CLIENT KILL TYPE replica on the master killed %r clients" % killed)
                        pipeline_sets(master, args.writes, args.value, "%d" % rnd)
                        wait_gone(master)
                    finally:
                        os.kill(replica.pid, signal.SIGCONT)
                    t0 = time.monotonic()
                    t_psync = None
                    while True:
                        if time.monotonic() - t0 > args.sync_timeout:
                            raise PairError("offsets not equal %d s after the link came back (replica: %s)"
                                            % (args.sync_timeout, replica.log_tail(2)))
                        st = master.info("stats")
                        now = time.monotonic() - t0  # when the condition was seen, not when asked
                        if t_psync is None and int_field(st, "sync_partial_ok", "master") > ok0:
                            t_psync = now
                        if int_field(st, "sync_full", "master") != full0:
                            raise PairError("a full sync happened instead of a partial one (master log: %s)"
                                            % master.log_tail(2))
                        if t_psync is not None:
                            moff, roff, link, _ = lag_sample(master, replica)
                            now = time.monotonic() - t0
                            if link == "up" and roff >= moff:
                                break
                        time.sleep(0.002)
                    r["total"].append(now)
                    r["after_psync"].append(now - t_psync)
                    log("  psync round %d %-12s link back -> caught up %6.1f ms (PSYNC accepted at %.1f ms)"
                        % (rnd, pair_name(pair), now * 1000, t_psync * 1000))
                except (PairError, B.RespError, B.BenchError, OSError) as e:
                    r["error"] = str(e)
                    log("  psync round %d %-12s n/a: %s" % (rnd, pair_name(pair), e))
    finally:
        for m, rp in live.values():
            rp.stop()
            m.stop()
    return res


# ---------------------------------------------------------------------------------------------
# 4. Master CPU per SET with 0 and 1 replica


def part_cpu(args, root):
    """Four masters (redis and vireo, each without and with one redis replica); every round runs
    the same redis-benchmark on each in turn."""
    setups = [("redis", 0), ("vireo", 0), ("redis", 1), ("vireo", 1)]
    servers = {}
    res = {s: {"cpu_us": [], "rps": [], "error": None} for s in setups}
    argv_tail = ["-c", str(args.lag_clients), "-P", "16", "-t", "set", "-r", str(args.keyspace),
                 "-d", str(args.value), "--csv"]
    try:
        for s in setups:
            try:
                m = Srv(s[0], args, root, ["--repl-backlog-size", args.backlog, "--repl-diskless-sync-delay", "0"])
                rep = None
                servers[s] = (m, None)
                if s[1]:
                    rep = Srv("redis", args, root)
                    servers[s] = (m, rep)
                    replicate(rep, m)
                    wait_synced(rep, m, 0, args.sync_timeout)
                # warm-up fills the keyspace, so the timed runs all overwrite
                subprocess.run([args.benchmark_bin, "-h", B.HOST, "-p", str(m.port), "-n", str(args.keyspace * 2)]
                               + argv_tail, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
            except (PairError, B.RespError, B.BenchError, OSError, subprocess.TimeoutExpired) as e:
                res[s]["error"] = str(e)
        for rnd in range(1, args.rounds + 1):
            for s in setups:
                if res[s]["error"]:
                    continue
                m, rep = servers[s]
                try:
                    if rep is not None and rep.info("replication").get("master_link_status") != "up":
                        raise PairError("the replica's link is down")
                    c0 = m.cpu_ticks()
                    t = time.monotonic()
                    out = subprocess.run([args.benchmark_bin, "-h", B.HOST, "-p", str(m.port),
                                          "-n", str(args.cpu_n)] + argv_tail,
                                         capture_output=True, text=True, timeout=600)
                    wall = time.monotonic() - t
                    c1 = m.cpu_ticks()
                    if out.returncode != 0:
                        raise PairError("redis-benchmark: %s" % out.stderr[-200:])
                    rows = [l for l in out.stdout.splitlines() if l.startswith('"SET"')]
                    rps = float(rows[0].split(",")[1].strip('"')) if rows else args.cpu_n / wall
                    cpu = (c1 - c0) * 1e6 / B.CLK_TCK / args.cpu_n
                    res[s]["cpu_us"].append(cpu)
                    res[s]["rps"].append(rps)
                    log("  cpu round %d %s master, %d replica: %.3f µs CPU/SET, %.0f SET/s"
                        % (rnd, s[0], s[1], cpu, rps))
                except (PairError, B.RespError, B.BenchError, OSError, subprocess.TimeoutExpired) as e:
                    res[s]["error"] = str(e)
                    log("  cpu round %d %s master, %d replica: n/a: %s" % (rnd, s[0], s[1], e))
        # the replicas must still be in sync at the end
        for s in setups:
            m, rep = servers.get(s, (None, None))
            if rep is not None and not res[s]["error"]:
                try:
                    wait_synced(rep, m, m.call("DBSIZE"), 30)
                except (PairError, B.RespError) as e:
                    res[s]["error"] = "replica not in sync after the runs: %s" % e
    finally:
        for m, rep in servers.values():
            if rep is not None:
                rep.stop()
            m.stop()
    return res


# ---------------------------------------------------------------------------------------------
# Report


def med(xs):
    return statistics.median(xs) if xs else None


def na(err):
    err = re.sub(r"\s+", " ", err or "").replace("|", "/")
    return "n/a (error: %s)" % (err[:140] + ("…" if len(err) > 140 else ""))


def cell(value, base, fmt, err=None):
    if value is None:
        return na(err) if err else "n/a"
    s = fmt % value
    if base is None:
        return s
    return "%s (%s)" % (s, ("%.2f" % (value / base)) if base else "n/a")


def render(args, meta, full, lag, psync, cpu):
    out = ["# Replication: vireo (%s, release) vs redis-server 7.0.15" % meta["commit"], ""]
    out.append("`%s`, %s, %s. Pairs are master->replica; each cell is the median over the rounds, "
               "with the ratio to the redis->redis baseline in parentheses (below 1.00: less time "
               "or less lag than Redis)." % (meta["cmdline"], meta["date"], meta["machine"]))
    out.append("")
    out.append("| figure | " + " | ".join(pair_name(p) for p in PAIRS) + " |")
    out.append("|---|" + "---:|" * len(PAIRS))

    def row(title, values, fmt, errors):
        base = values.get(BASELINE)
        cells = []
        for p in PAIRS:
            v = values.get(p)
            cells.append(cell(v, None if p == BASELINE or base is None else base, fmt, errors.get(p)))
        out.append("| %s | %s |" % (title, " | ".join(cells)))

    if full is not None:
        for mode in ("disk", "diskless"):
            vals = {p: med(full[(mode, p)]["times"]) for p in PAIRS if (mode, p) in full}
            errs = {p: full[(mode, p)]["error"] for p in PAIRS if (mode, p) in full}
            row("full sync, %s, %s keys (s)" % (mode, "{:,}".format(args.keys)), vals, "%.2f", errs)
    if lag is not None:
        errs = {p: lag[p]["error"] for p in lag}

        def lagv(key, scale=1.0):
            d = {}
            for p in PAIRS:
                xs = [r[key] for r in lag.get(p, {}).get("runs", []) if r[key] is not None]
                d[p] = med(xs) * scale if xs else None
            return d
        row("first SET after a full sync reaches the replica (ms)", lagv("first_write_s", 1000), "%.1f", errs)
        row("lag run: master SET/s under P=16 load (context)", lagv("sets_per_s"), "%.0f", errs)
        row("lag run: max byte lag (KB)", lagv("max_lag", 1 / 1024), "%.1f", errs)
        row("lag run: mean byte lag (KB)", lagv("mean_lag", 1 / 1024), "%.1f", errs)
        catch = []
        base_c = None
        for p in PAIRS:
            runs = lag.get(p, {}).get("runs", [])
            xs = [r["catchup_s"] if r["catchup_s"] is not None else float("inf") for r in runs]
            m = med(xs)
            if p == BASELINE and m is not None and m != float("inf"):
                base_c = m
            if not runs:
                catch.append(na(errs.get(p)) if errs.get(p) else "n/a")
            elif m == float("inf"):
                catch.append("not within %g s" % args.catchup_timeout)
            else:
                catch.append("%.0f%s" % (m * 1000, "" if p == BASELINE or not base_c else " (%.2f)" % (m / base_c)))
            missed = sum(1 for x in xs if x == float("inf"))
            if missed and m != float("inf"):
                catch[-1] += ", not within %g s in %d/%d" % (args.catchup_timeout, missed, len(xs))
        out.append("| lag run: catch-up after load stops (ms) | %s |" % " | ".join(catch))
        row("lag run: longest INFO reply from the replica (ms)", lagv("replica_info_max_s", 1000), "%.1f", errs)
        row("lag run: replica CPU s per master CPU s", {
            p: med([r["replica_cpu_s"] / r["master_cpu_s"] for r in lag.get(p, {}).get("runs", [])
                    if r["master_cpu_s"]]) for p in PAIRS}, "%.2f", errs)
        kept = []
        for p in PAIRS:
            runs = lag.get(p, {}).get("runs", [])
            if not runs:
                kept.append(na(errs.get(p)) if errs.get(p) else "n/a")
            else:
                ok = sum(1 for r in runs if r["kept_up"])
                resync = sum(1 for r in runs if any("full sync" in n for n in r["notes"]))
                kept.append("%s (%d/%d)%s" % ("yes" if ok == len(runs) else "NO", ok, len(runs),
                                              "; link dropped and fully resynced in %d" % resync if resync else ""))
        out.append("| lag run: replica kept up (caught up within 1 s, link stayed up) | %s |" % " | ".join(kept))
        lm = []
        for p in PAIRS:
            runs = lag.get(p, {}).get("runs", [])
            xs = [r for r in runs if r["max_lag_ms"] is not None]
            if p[0] != "vireo":
                lm.append("-")
            elif not xs:
                lm.append(na(errs.get(p)) if errs.get(p) else "n/a")
            else:
                lm.append("%d / %.0f" % (med([r["max_lag_ms"] for r in xs]), med([r["mean_lag_ms"] for r in xs])))
        out.append("| lag run: vireo master's slave0 lag_ms, max / mean | %s |" % " | ".join(lm))
    if psync is not None:
        errs = {p: psync[p]["error"] for p in psync}
        row("partial resync of %s missed SETs: replica resumes -> caught up (ms)" % "{:,}".format(args.writes),
            {p: med(psync[p]["total"]) * 1000 if psync[p]["total"] else None for p in PAIRS}, "%.1f", errs)
    if cpu is not None:
        out.append("")
        out.append("Master CPU per SET (redis-benchmark -P 16 -t set -n %s -d %d; replica = redis-server):"
                   % ("{:,}".format(args.cpu_n), args.value))
        out.append("")
        out.append("| master | µs CPU/SET, no replica | µs CPU/SET, 1 replica | replica's extra cost (µs/SET) |")
        out.append("|---|---:|---:|---:|")
        vals = {}
        for kind in ("redis", "vireo"):
            cells = []
            for n in (0, 1):
                r = cpu[(kind, n)]
                v = med(r["cpu_us"])
                vals[(kind, n)] = v if not r["error"] else None
                cells.append("%.3f" % v if vals[(kind, n)] is not None else na(r["error"]))
            extra = (vals[(kind, 1)] - vals[(kind, 0)]) if None not in (vals[(kind, 0)], vals[(kind, 1)]) else None
            vals[(kind, "x")] = extra
            cells.append("%.3f" % extra if extra is not None else "n/a")
            out.append("| %s | %s |" % (kind, " | ".join(cells)))
        rat = []
        for k in (0, 1, "x"):
            a, b = vals[("vireo", k)], vals[("redis", k)]
            rat.append("%.2f" % (a / b) if a is not None and b else "n/a")
        out.append("| **ratio vireo/redis** | %s |" % " | ".join("**%s**" % x for x in rat))
    table_end = len(out)

    out += ["", "## Raw", ""]
    if full is not None:
        out.append("Full sync, seconds per round, with the first poll (every 10 ms) that saw "
                   "master_sync_in_progress:1 (transfer) and loading:1 (loading) on the replica:")
        out.append("")
        for mode in ("disk", "diskless"):
            for p in PAIRS:
                r = full.get((mode, p))
                if not r:
                    continue
                ts = ", ".join("%.2f (transfer %.2f, loading %.2f)"
                               % (t, ph.get("transfer", float("nan")), ph.get("loading", float("nan")))
                               for t, ph in zip(r["times"], r["phases"]))
                out.append("- %s %s: %s%s" % (mode, pair_name(p), ts or "-",
                                              ("; error: " + r["error"]) if r["error"] else ""))
        out.append("")
    if lag is not None:
        out.append("Lag runs:")
        out.append("")
        out.append("| pair | first SET ms | load s | SET/s | repl stream MB/s | samples | max lag B | mean lag B | "
                   "lag_ms max/mean | replica INFO max ms | catch-up ms | master CPU s | replica CPU s | notes |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|")
        for p in PAIRS:
            for r in lag.get(p, {}).get("runs", []):
                out.append("| %s | %.1f | %.1f | %.0f | %.1f | %d | %d | %.0f | %s | %.1f | %s | %.2f | %.2f | %s |" % (
                    pair_name(p), r["first_write_s"] * 1000, r["load_s"], r["sets_per_s"], r["stream_mb_per_s"], r["samples"],
                    r["max_lag"], r["mean_lag"],
                    "%s/%.0f" % (r["max_lag_ms"], r["mean_lag_ms"]) if r["max_lag_ms"] is not None else "-",
                    r["replica_info_max_s"] * 1000,
                    "%.0f" % (r["catchup_s"] * 1000) if r["catchup_s"] is not None else "NO",
                    r["master_cpu_s"], r["replica_cpu_s"], "; ".join(r["notes"]).replace("|", "/")))
            if lag.get(p, {}).get("error"):
                out.append("| %s | %s |||||||||||||" % (pair_name(p), na(lag[p]["error"])))
        out.append("")
    if psync is not None:
        out.append("Partial resync, ms per round (replica resumes -> caught up / -> first poll that saw "
                   "sync_partial_ok grown):")
        out.append("")
        for p in PAIRS:
            r = psync[p]
            out.append("- %s: %s%s" % (pair_name(p), ", ".join("%.1f/%.1f" % (a * 1000, (a - b) * 1000)
                                                              for a, b in zip(r["total"], r["after_psync"])) or "-",
                                       ("; error: " + r["error"]) if r["error"] else ""))
        out.append("")
    if cpu is not None:
        out.append("Master CPU runs (µs CPU/SET @ SET/s):")
        out.append("")
        for s, r in cpu.items():
            out.append("- %s master, %d replica: %s%s" % (s[0], s[1], ", ".join(
                "%.3f @ %.0f" % (c, x) for c, x in zip(r["cpu_us"], r["rps"])) or "-",
                ("; error: " + r["error"]) if r["error"] else ""))
        out.append("")
    return "\n".join(out[:table_end]) + "\n", "\n".join(out) + "\n"


def default_vireo_bin():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for d in (os.environ.get("CARGO_TARGET_DIR"), os.path.join(here, "target")):
        if d and os.path.exists(os.path.join(d, "release", "vireo-server")):
            return os.path.join(d, "release", "vireo-server")
    return None


def git_short(repo):
    try:
        return subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vireo-bin", default=default_vireo_bin(),
                    help="default: $CARGO_TARGET_DIR/release/vireo-server, else target/release/")
    ap.add_argument("--redis-bin", default="/usr/bin/redis-server")
    ap.add_argument("--benchmark-bin", default=shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark")
    ap.add_argument("--parts", default="full,lag,psync,cpu", help="which parts, comma separated")
    ap.add_argument("--keys", type=int, default=1000000, help="keys for the full sync (DEBUG POPULATE)")
    ap.add_argument("--value", type=int, default=100, help="value size in bytes everywhere")
    ap.add_argument("--rounds", type=int, default=3, help="rounds of full sync and of master CPU runs")
    ap.add_argument("--lag-rounds", type=int, default=3)
    ap.add_argument("--lag-seconds", type=float, default=10.0)
    ap.add_argument("--lag-clients", type=int, default=50, help="redis-benchmark -c in the lag and CPU parts")
    ap.add_argument("--keyspace", type=int, default=100000, help="redis-benchmark -r")
    ap.add_argument("--catchup-timeout", type=float, default=10.0)
    ap.add_argument("--psync-rounds", type=int, default=5)
    ap.add_argument("--writes", type=int, default=10000, help="SETs written while the link is down")
    ap.add_argument("--cpu-n", type=int, default=1000000, help="SETs per master CPU run")
    ap.add_argument("--backlog", default="64mb", help="repl-backlog-size of the masters of parts 2-4")
    ap.add_argument("--sync-timeout", type=int, default=180)
    ap.add_argument("--call-timeout", type=float, default=120.0)
    ap.add_argument("--out", help="report file (default bench/results/<date>-repl-<sha>.md)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the server directories (logs) even on success")
    args = ap.parse_args()
    if not args.vireo_bin or not os.path.exists(args.vireo_bin):
        ap.error("no vireo binary: build it (cargo build --release --bin vireo-server) or pass --vireo-bin")
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - {"full", "lag", "psync", "cpu"}:
        ap.error("parts are among full,lag,psync,cpu")

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sha = git_short(here)
    meta = {
        "commit": sha,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": "%d CPUs (%s)" % (os.cpu_count(), B.cpu_model()),
        "cmdline": "bench/repl.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "bench/repl.py",
    }
    root = tempfile.mkdtemp(prefix="vireo-repl-bench.")
    args.pidfile = os.path.join(root, "pids")
    log("vireo %s (%s), redis %s; logs under %s" % (args.vireo_bin, sha, args.redis_bin, root))

    def on_term(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    full = lag = psync = cpu = None
    failed = False
    t_start = time.monotonic()
    try:
        if "full" in parts:
            log("part 1: full sync of %d keys" % args.keys)
            full = part_full_sync(args, root)
        if "lag" in parts:
            log("part 2: replica lag under redis-benchmark -P 16 -t set, %.0f s per run" % args.lag_seconds)
            lag = part_lag(args, root)
        if "psync" in parts:
            log("part 3: partial resync after %d SETs" % args.writes)
            psync = part_psync(args, root)
        if "cpu" in parts:
            log("part 4: master CPU per SET")
            cpu = part_cpu(args, root)
    except (B.BenchError, B.RespError, PairError, OSError) as e:
        log("\nrepl bench: FAILED: %s: %s (logs kept in %s)" % (type(e).__name__, e, root))
        failed = True
    except KeyboardInterrupt:
        log("\nrepl bench: interrupted (logs kept in %s)" % root)
        return 130
    log("took %.0f s" % (time.monotonic() - t_start))
    if failed:
        return 1
    table, report = render(args, meta, full, lag, psync, cpu)
    print(table, end="")
    if not args.no_write:
        path = args.out or os.path.join(here, "bench", "results",
                                        "%s-repl-%s.md" % (time.strftime("%Y-%m-%d"), sha))
        with open(path, "w") as f:
            f.write(report)
        log("written to %s" % path)
    errors = [r["error"] for part in (full, lag, psync, cpu) if part for r in part.values() if r["error"]]
    if args.keep or errors:
        log("logs kept in %s" % root)
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
