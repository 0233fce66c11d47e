//! The master side of replication. A client becomes a replica with SYNC or PSYNC: either it
//! continues from an offset the replication buffer still holds (+CONTINUE, then the bytes from
//! that offset, possibly mid-command), or it gets a full sync: +FULLRESYNC <replid> <offset>
//! and a snapshot taken at that offset by a fork, written to the RDB file and sent as `$<len>`
//! (disk target), or streamed by the child straight to the sockets framed by an `$EOF:` mark
//! (socket target, repl-diskless-sync), after which the stream starts at the replica's first
//! ACK. Online replicas are written from the shared replication buffer by offset; a replica
//! that falls behind past client-output-buffer-limit is dropped. The replication cron pings
//! replicas, sends keepalive newlines during a fork, times out silent replicas, starts the
//! delayed diskless sync and frees an unused backlog after repl-backlog-ttl. This module knows
//! sockets and offsets, not how the snapshot bytes are encoded (the rdb crate and `persist`).

use crate::client::{cflags, Client};
use crate::exec::Ctx;
use crate::persist::ChildKind;
use crate::server::Server;
use crate::{log_notice, log_warning};
use std::fs::File;
use std::io::{self, ErrorKind, Read, Write};
use vireo_resp::num::parse_i64;

/// Where a replica is in its synchronization (Redis's SLAVE_STATE_*).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncState {
    /// Waits for a fork to start (another child runs, or the diskless delay).
    WaitBgsaveStart,
    /// Its snapshot is being made (and, for a socket target, sent by the child).
    WaitBgsaveEnd,
    /// The RDB file is being sent.
    SendBulk,
    Online,
}

impl SyncState {
    pub fn info_name(self) -> &'static str {
        match self {
            SyncState::WaitBgsaveStart | SyncState::WaitBgsaveEnd => "wait_bgsave",
            SyncState::SendBulk => "send_bulk",
            SyncState::Online => "online",
        }
    }
}

/// The RDB file on its way to a replica.
#[derive(Debug)]
pub struct Bulk {
    file: File,
    buf: Vec<u8>,
    pos: usize,
}

/// What a master keeps per replica client.
#[derive(Debug)]
pub struct ReplicaLink {
    pub state: SyncState,
    /// REPLCONF listening-port (0 until announced).
    pub listening_port: u16,
    /// REPLCONF ip-address, when announced.
    pub announced_ip: Option<String>,
    pub capa_eof: bool,
    pub capa_psync2: bool,
    /// Attached with SYNC (no +FULLRESYNC line, no ACKs).
    pub pre_psync: bool,
    /// Snapshot offset of its full sync.
    pub psync_offset: u64,
    /// Offset of the next stream byte to send.
    pub pos: u64,
    /// Highest offset it acknowledged, and when (ms).
    pub ack_off: u64,
    pub ack_ms: i64,
    /// Diskless: the stream starts with its first ACK.
    pub wait_ack: bool,
    pub bulk: Option<Bulk>,
    /// When it started waiting for a fork (diskless delay), ms.
    pub wait_since_ms: i64,
    /// Since when it exceeds the soft output-buffer limit (0: it does not), ms.
    pub soft_since_ms: i64,
    /// Stream bytes went out: from now on the connection carries nothing else.
    pub stream_started: bool,
    /// REPLCONF rdb-only 1: it wants the snapshot and nothing after it (redis-cli --rdb).
    pub rdb_only: bool,
    /// It acknowledged before we saw its diskless transfer end (it loaded faster than the
    /// fork child was reaped): the stream starts as soon as we do.
    pub early_ack: bool,
}

impl ReplicaLink {
    fn new(now_ms: i64) -> ReplicaLink {
        ReplicaLink {
            state: SyncState::WaitBgsaveStart,
            listening_port: 0,
            announced_ip: None,
            capa_eof: false,
            capa_psync2: false,
            pre_psync: false,
            psync_offset: 0,
            pos: 0,
            ack_off: 0,
            ack_ms: now_ms,
            wait_ack: false,
            bulk: None,
            wait_since_ms: now_ms,
            soft_since_ms: 0,
            stream_started: false,
            early_ack: false,
            rdb_only: false,
        }
    }

    /// Whether stream bytes go out to this replica now.
    fn streaming(&self) -> bool {
        self.state == SyncState::Online && !self.wait_ack
    }

    /// Whether the replica still needs stream bytes from `pos` (it holds buffer blocks).
    fn holds_buffer(&self) -> bool {
        self.state != SyncState::WaitBgsaveStart && !self.rdb_only
    }
}

/// The fork made for replicas.
#[derive(Debug)]
pub struct SyncChild {
    pub target_socket: bool,
    pub offset: u64,
    /// Socket target: the replicas it writes to (tokens, client ids) and the pipe on which
    /// it reports one byte per replica (1 = delivered).
    pub replicas: Vec<(usize, u64)>,
    pub results: Option<File>,
}

/// The address a replica is known by: its announced ip, or the peer address.
fn replica_ip(c: &Client) -> String {
    if let Some(ip) = c.repl.as_ref().and_then(|l| l.announced_ip.clone()) {
        return ip;
    }
    match c.addr.rfind(':') {
        Some(i) => c.addr[..i].trim_start_matches('[').trim_end_matches(']').to_string(),
        None => c.addr.clone(),
    }
}

/// "ip:port" as Redis names a replica in its log lines.
fn replica_name(c: &Client) -> String {
    let port = c.repl.as_ref().map_or(0, |l| l.listening_port);
    if port != 0 {
        format!("{}:{}", replica_ip(c), port)
    } else {
        format!("{}:<unknown-replica-port>", replica_ip(c))
    }
}

/// SYNC and PSYNC <replid> <offset>.
pub fn sync_command(ctx: &mut Ctx) {
    let psync = ctx.cmd.name == "psync";
    if ctx.c.has(cflags::SLAVE) {
        return;
    }
    if ctx.c.is_fake() {
        ctx.error("ERR SYNC and PSYNC are not available to this client");
        return;
    }
    // our master hands over to us: take the role when it continues our own history
    if psync && ctx.argc() > 3 && ctx.arg(3).eq_ignore_ascii_case(b"failover") {
        let id = String::from_utf8_lossy(ctx.arg(1)).to_string();
        log_warning!("Failover request received for replid {}.", id);
        if ctx.srv.masterhost.is_none() {
            ctx.error("ERR PSYNC FAILOVER can't be sent to a master.");
            return;
        }
        if id != ctx.srv.repl.replid {
            ctx.error("ERR PSYNC FAILOVER replid must match my replid.");
            return;
        }
        crate::repl::replica::unset_master(ctx.srv);
        let who = crate::net::client_info_line(ctx.srv, ctx.c);
        log_notice!("MASTER MODE enabled (failover request from '{}')", who);
    }
    if ctx.srv.repl.failover.state != FailoverState::None {
        ctx.error("NOMASTERLINK Can't SYNC while failing over");
        return;
    }
    if ctx.srv.masterhost.is_some() && !crate::repl::replica::link_up(ctx.srv) {
        ctx.error("NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    // what the handshake left unanswered must not mix with the stream
    if ctx.c.pending_output() > 0 {
        ctx.error("ERR SYNC and PSYNC are invalid with pending output");
        return;
    }
    let now = ctx.srv.mstime();
    let name = {
        let link = ctx.c.repl.get_or_insert_with(|| Box::new(ReplicaLink::new(now)));
        link.wait_since_ms = now;
        replica_name(ctx.c)
    };
    log_notice!("Replica {} asks for synchronization", name);
    if psync {
        let replid = String::from_utf8_lossy(ctx.arg(1)).to_string();
        let Some(off) = parse_i64(ctx.arg(2)) else {
            ctx.error("ERR value is not an integer or out of range");
            return;
        };
        if try_partial(ctx.srv, ctx.c, &replid, off, &name) {
            ctx.srv.stats.sync_partial_ok += 1;
            return;
        }
        if replid != "?" {
            ctx.srv.stats.sync_partial_err += 1;
        }
    } else {
        ctx.c.repl.as_mut().expect("link").pre_psync = true;
    }
    ctx.srv.stats.sync_full += 1;
    attach_replica(ctx.srv, ctx.c);
    if ctx.srv.prop.backlog.is_none() {
        crate::repl::change_replid(ctx.srv);
        crate::repl::clear_replid2(ctx.srv);
        crate::repl::create_backlog(ctx.srv);
        crate::repl::log_backlog_created(ctx.srv);
    }
    // a disk snapshot in progress for other replicas can serve this one too
    let child_kind = ctx.srv.rdb.child.as_ref().map(|ch| ch.kind);
    match child_kind {
        Some(ChildKind::ReplDisk) => {
            let offset = ctx.srv.repl.sync_child.as_ref().map(|s| s.offset);
            if let Some(offset) = offset {
                log_notice!("Waiting for end of BGSAVE for SYNC");
                setup_full_resync(ctx.srv, ctx.c, offset);
            } else {
                log_notice!("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
            }
        }
        Some(ChildKind::ReplSocket) => {
            log_notice!("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
        }
        Some(ChildKind::Plain) => {
            log_notice!("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
        }
        None => {
            if ctx.srv.aof.child.is_some() {
                // the cron starts the sync once the rewrite is over
            } else if ctx.srv.config.repl_diskless_sync && ctx.srv.config.repl_diskless_sync_delay > 0 {
                log_notice!("Delay next BGSAVE for diskless SYNC");
            } else {
                // started before the loop sleeps, once this client is back among the others
                ctx.srv.repl.start_sync_asap = true;
            }
        }
    }
}

/// Makes the client a replica (not yet synchronized).
fn attach_replica(srv: &mut Server, c: &mut Client) {
    c.flags |= cflags::SLAVE;
    c.db = 0;
    let now = srv.mstime();
    let link = c.repl.get_or_insert_with(|| Box::new(ReplicaLink::new(now)));
    link.state = SyncState::WaitBgsaveStart;
    link.wait_since_ms = now;
    link.ack_ms = now;
    if !srv.repl.replicas.contains(&c.token) {
        srv.repl.replicas.push(c.token);
    }
}

/// The partial resync rule: same history (or the previous one, up to where it was valid) and
/// the requested offset still in the backlog.
fn try_partial(srv: &mut Server, c: &mut Client, replid: &str, off: i64, name: &str) -> bool {
    let same = replid == srv.repl.replid;
    let previous = replid == srv.repl.replid2 && off <= srv.repl.second_replid_offset;
    if !same && !previous {
        if replid == "?" {
            log_notice!("Full resync requested by replica {}", name);
        } else if replid != srv.repl.replid2 {
            log_notice!(
                "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                replid,
                srv.repl.replid,
                srv.repl.replid2
            );
        } else {
            log_notice!(
                "Partial resynchronization not accepted: Requested offset for second ID was {}, but I can reply up to {}",
                off,
                srv.repl.second_replid_offset
            );
        }
        return false;
    }
    let Some(b) = &srv.prop.backlog else {
        log_notice!(
            "Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).",
            name,
            off
        );
        return false;
    };
    if off < 0 || !b.can_serve(off as u64) {
        log_notice!(
            "Unable to partial resync with replica {} for lack of backlog (Replica request was: {}).",
            name,
            off
        );
        if off > b.end() as i64 + 1 {
            log_warning!(
                "Warning: replica {} tried to PSYNC with an offset that is greater than the master replication offset.",
                name
            );
        }
        return false;
    }
    let off = off as u64;
    let pending = b.end() + 1 - off;
    attach_replica(srv, c);
    let now = srv.mstime();
    let link = c.repl.as_mut().expect("link");
    link.state = SyncState::Online;
    link.pos = off;
    link.ack_ms = now;
    let line =
        if link.capa_psync2 { format!("+CONTINUE {}\r\n", srv.repl.replid) } else { "+CONTINUE\r\n".to_string() };
    c.reply.rb.buf.extend_from_slice(line.as_bytes());
    log_notice!(
        "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {}.",
        name,
        pending,
        off
    );
    srv.schedule_write(c);
    true
}

/// Tells a replica its full sync starts at `offset` and that its stream continues from there.
fn setup_full_resync(srv: &mut Server, c: &mut Client, offset: u64) {
    let replid = srv.repl.replid.clone();
    let link = c.repl.as_mut().expect("link");
    link.state = SyncState::WaitBgsaveEnd;
    link.psync_offset = offset;
    link.pos = offset + 1;
    if !link.pre_psync {
        c.reply.rb.buf.extend_from_slice(format!("+FULLRESYNC {} {}\r\n", replid, offset).as_bytes());
        srv.schedule_write(c);
    }
}

/// Starts the fork for the replicas waiting for one (startBgsaveForReplication).
pub fn start_bgsave_for_replication(srv: &mut Server) {
    let waiting: Vec<usize> =
        srv.repl.replicas.iter().copied().filter(|&t| state_of(srv, t) == Some(SyncState::WaitBgsaveStart)).collect();
    if waiting.is_empty() {
        return;
    }
    let all_eof = waiting.iter().all(|&t| {
        srv.clients.get(t).and_then(|c| c.as_ref()).and_then(|c| c.repl.as_ref()).is_some_and(|l| l.capa_eof)
    });
    let socket = srv.config.repl_diskless_sync && all_eof;
    log_notice!("Starting BGSAVE for SYNC with target: {}", if socket { "replicas sockets" } else { "disk" });
    // the snapshot is taken at the current offset; the stream after it starts with SELECT
    let offset = srv.prop.repl_offset;
    srv.prop.repl_seldb = -1;
    for &t in &waiting {
        if let Some(mut c) = crate::net::take_client(srv, t) {
            setup_full_resync(srv, &mut c, offset);
            crate::net::put_client(srv, c);
        }
    }
    // the +FULLRESYNC lines go out before the child starts writing to the same sockets
    flush_replies(srv, &waiting);
    let res = if socket { fork_socket_child(srv, &waiting, offset) } else { fork_disk_child(srv, offset) };
    if let Err(e) = res {
        log_warning!("BGSAVE for replication failed");
        for &t in &waiting {
            if let Some(mut c) = crate::net::take_client(srv, t) {
                c.reply.error(&e);
                c.flags |= cflags::CLOSE_AFTER_REPLY;
                crate::net::put_client(srv, c);
            }
        }
    }
}

fn state_of(srv: &Server, t: usize) -> Option<SyncState> {
    srv.clients.get(t).and_then(|c| c.as_ref()).and_then(|c| c.repl.as_ref()).map(|l| l.state)
}

/// Writes what the given clients have pending, as far as their sockets take it now.
fn flush_replies(srv: &mut Server, tokens: &[usize]) {
    for &t in tokens {
        if let Some(mut c) = crate::net::take_client(srv, t) {
            if !crate::net::write_pending(srv, &mut c) {
                c.flags |= cflags::CLOSE_ASAP;
                srv.to_close.push(t);
            }
            crate::net::put_client(srv, c);
        }
    }
}

fn fork_disk_child(srv: &mut Server, offset: u64) -> Result<(), String> {
    crate::persist::bgsave(srv)?;
    if let Some(ch) = &mut srv.rdb.child {
        ch.kind = ChildKind::ReplDisk;
    }
    srv.repl.rdb_for_replicas = true;
    srv.repl.sync_child = Some(SyncChild { target_socket: false, offset, replicas: Vec::new(), results: None });
    Ok(())
}

/// A writer that sends every byte to each replica socket still alive, waiting (poll) on full
/// sockets, so one slow replica slows the child but a dead one is dropped.
struct Fanout {
    fds: Vec<(i32, bool)>,
    timeout_ms: i32,
}

impl Fanout {
    fn write_fd(fd: i32, mut buf: &[u8], timeout_ms: i32) -> bool {
        while !buf.is_empty() {
            // SAFETY: writing from a valid slice to a socket descriptor this process owns.
            let n = unsafe { libc::write(fd, buf.as_ptr().cast(), buf.len()) };
            if n > 0 {
                buf = &buf[n as usize..];
                continue;
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EAGAIN) => {
                    let mut p = libc::pollfd { fd, events: libc::POLLOUT, revents: 0 };
                    // SAFETY: one valid pollfd.
                    let r = unsafe { libc::poll(&mut p, 1, timeout_ms) };
                    if r == 0 || (r > 0 && p.revents & (libc::POLLERR | libc::POLLHUP) != 0) {
                        return false;
                    }
                }
                Some(libc::EINTR) => {}
                _ => return false,
            }
        }
        true
    }
}

impl Write for Fanout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let t = self.timeout_ms;
        for (fd, alive) in self.fds.iter_mut() {
            if *alive {
                *alive = Fanout::write_fd(*fd, buf, t);
            }
        }
        if self.fds.iter().any(|f| f.1) {
            Ok(buf.len())
        } else {
            Err(io::Error::new(ErrorKind::BrokenPipe, "no replica left"))
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn fork_socket_child(srv: &mut Server, waiting: &[usize], offset: u64) -> Result<(), String> {
    let mut targets = Vec::new();
    let mut fds = Vec::new();
    for &t in waiting {
        if let Some(c) = srv.clients.get(t).and_then(|c| c.as_ref()) {
            targets.push((t, c.id));
            fds.push((c.conn.fd(), true));
        }
    }
    let mut pipe = [0i32; 2];
    // SAFETY: a valid two-int array for pipe().
    if unsafe { libc::pipe(pipe.as_mut_ptr()) } != 0 {
        return Err(format!("ERR Can't create the pipe for diskless sync: {}", io::Error::last_os_error()));
    }
    let mark = srv.rng.hex(40);
    let aux = crate::persist::aux_for_replication(srv);
    let access = crate::persist::Access::of(srv);
    let (compress, checksum) = (srv.config.rdbcompression, srv.config.rdbchecksum);
    let timeout_ms = (srv.config.repl_timeout as i64 * 1000).min(i32::MAX as i64) as i32;
    let keys_total: u64 = srv.ks.dbs.iter().map(|d| d.len() as u64).sum();
    let t0 = std::time::Instant::now();
    // SAFETY: forked from the thread that owns the keyspace; the child serializes the copy the
    // fork gave it to the replica sockets, reports on the pipe and leaves with _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        crate::log::set_role(b'C');
        // SAFETY: closing the read end in the child.
        unsafe { libc::close(pipe[0]) };
        let mut out = Fanout { fds, timeout_ms };
        let head = format!("$EOF:{mark}\r\n");
        let ok = out.write_all(head.as_bytes()).is_ok()
            && crate::persist::write_dbs(
                &srv.ks.dbs,
                io::BufWriter::with_capacity(1 << 16, &mut out),
                compress,
                checksum,
                &aux,
                access,
            )
            .is_ok()
            && out.write_all(mark.as_bytes()).is_ok();
        let report: Vec<u8> = out.fds.iter().map(|f| (ok && f.1) as u8).collect();
        // SAFETY: writing the report to our end of the pipe.
        unsafe { libc::write(pipe[1], report.as_ptr().cast(), report.len()) };
        let code = if ok { 0 } else { 1 };
        if ok {
            log_notice!("DB saved on disk");
        }
        // SAFETY: leaving the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    // SAFETY: closing the write end in the parent.
    unsafe { libc::close(pipe[1]) };
    if pid < 0 {
        // SAFETY: our own descriptor.
        unsafe { libc::close(pipe[0]) };
        let e = io::Error::last_os_error();
        return Err(format!("ERR Can't fork for diskless sync: {}", crate::util::os_error_text(&e)));
    }
    // SAFETY: the read end of the pipe we created, now owned by the File.
    let results = unsafe { <File as std::os::fd::FromRawFd>::from_raw_fd(pipe[0]) };
    srv.forked(t0);
    log_notice!("Background RDB transfer started by pid {}", pid);
    srv.rdb.child = Some(crate::persist::BgChild {
        pid,
        start_ms: srv.mstime(),
        dirty_at_start: srv.dirty,
        keys_total,
        kind: ChildKind::ReplSocket,
    });
    srv.repl.sync_child = Some(SyncChild { target_socket: true, offset, replicas: targets, results: Some(results) });
    Ok(())
}

/// The disk snapshot child finished (any disk BGSAVE: replicas waiting for its end get it).
pub fn disk_child_done(srv: &mut Server, ok: bool) {
    let Some(sc) = srv.repl.sync_child.take() else {
        return;
    };
    if sc.target_socket {
        return;
    }
    let tokens: Vec<usize> = srv.repl.replicas.clone();
    for t in tokens {
        let Some(mut c) = crate::net::take_client(srv, t) else { continue };
        if c.repl.as_ref().map(|l| l.state) != Some(SyncState::WaitBgsaveEnd) {
            crate::net::put_client(srv, c);
            continue;
        }
        if !ok {
            log_warning!("SYNC failed. BGSAVE child returned an error");
            c.flags |= cflags::CLOSE_ASAP;
            srv.to_close.push(t);
            crate::net::put_client(srv, c);
            continue;
        }
        match File::open(&srv.config.dbfilename).and_then(|f| f.metadata().map(|m| (f, m.len()))) {
            Ok((file, len)) => {
                c.reply.rb.buf.extend_from_slice(format!("${len}\r\n").as_bytes());
                let link = c.repl.as_mut().expect("link");
                link.state = SyncState::SendBulk;
                link.bulk = Some(Bulk { file, buf: Vec::new(), pos: 0 });
                srv.schedule_write(&mut c);
            }
            Err(e) => {
                log_warning!("SYNC failed. Can't open/stat DB after BGSAVE: {}", e);
                c.flags |= cflags::CLOSE_ASAP;
                srv.to_close.push(t);
            }
        }
        crate::net::put_client(srv, c);
    }
}

/// The socket child finished: replicas it delivered to wait for their first ACK to stream.
pub fn socket_child_done(srv: &mut Server, ok: bool) {
    let Some(mut sc) = srv.repl.sync_child.take() else {
        return;
    };
    if ok {
        log_notice!("Background RDB transfer terminated with success");
    } else {
        log_warning!("Background transfer error");
    }
    let mut report = vec![0u8; sc.replicas.len()];
    if let Some(f) = &mut sc.results {
        let _ = f.read_exact(&mut report);
    }
    for (i, (t, id)) in sc.replicas.iter().enumerate() {
        let Some(mut c) = crate::net::take_client(srv, *t) else { continue };
        if c.id != *id || c.repl.as_ref().map(|l| l.state) != Some(SyncState::WaitBgsaveEnd) {
            crate::net::put_client(srv, c);
            continue;
        }
        let name = replica_name(&c);
        if ok && report[i] == 1 && c.repl.as_ref().is_some_and(|l| l.rdb_only) {
            log_notice!("RDB transfer completed, rdb only replica ({}) should be disconnected asap", name);
            c.flags |= cflags::CLOSE_ASAP;
            srv.to_close.push(*t);
        } else if ok && report[i] == 1 {
            log_notice!(
                "Streamed RDB transfer with replica {} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming",
                name
            );
            let now = srv.mstime();
            let link = c.repl.as_mut().expect("link");
            link.state = SyncState::Online;
            link.wait_ack = !link.early_ack;
            link.ack_ms = now;
            if link.early_ack {
                srv.schedule_write(&mut c);
            }
        } else {
            log_warning!("Diskless rdb transfer to replica {} failed", name);
            c.flags |= cflags::CLOSE_ASAP;
            srv.to_close.push(*t);
        }
        crate::net::put_client(srv, c);
    }
}

/// Writes what a replica client has to receive: its reply bytes first, then the RDB file
/// during SEND_BULK, then the stream from its offset. Returns false when it must be freed.
pub fn write_replica(srv: &mut Server, c: &mut Client) -> bool {
    let Some(link) = c.repl.as_mut() else { return true };
    if link.state == SyncState::SendBulk {
        let Some(bulk) = link.bulk.as_mut() else { return true };
        loop {
            if bulk.pos == bulk.buf.len() {
                bulk.buf.resize(64 * 1024, 0);
                match bulk.file.read(&mut bulk.buf) {
                    Ok(0) => {
                        bulk.buf.clear();
                        break;
                    }
                    Ok(n) => {
                        bulk.buf.truncate(n);
                        bulk.pos = 0;
                    }
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => {
                        log_warning!("Read error sending DB to replica: {}", e);
                        return false;
                    }
                }
            }
            match c.conn.write(&bulk.buf[bulk.pos..]) {
                Ok(0) => return false,
                Ok(n) => {
                    bulk.pos += n;
                    srv.stats.net_repl_output_bytes += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => {
                    log_warning!("Write error sending DB to replica: {}", e);
                    return false;
                }
            }
        }
        link.bulk = None;
        if link.rdb_only {
            let name = replica_name(c);
            log_notice!("RDB transfer completed, rdb only replica ({}) should be disconnected asap", name);
            return false;
        }
        link.state = SyncState::Online;
        link.ack_ms = srv.cached_ms;
        let name = replica_name(c);
        log_notice!("Synchronization with replica {} succeeded", name);
    }
    let Some(link) = c.repl.as_mut() else { return true };
    if !link.streaming() {
        return true;
    }
    let Some(b) = &srv.prop.backlog else { return true };
    link.stream_started = true;
    while link.pos <= b.end() {
        let Some(chunk) = b.chunk_at(link.pos) else {
            log_warning!("Replica {} fell out of the replication buffer", link.pos);
            return false;
        };
        match c.conn.write(chunk) {
            Ok(0) => return false,
            Ok(n) => {
                link.pos += n as u64;
                srv.stats.net_repl_output_bytes += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                crate::log_verbose!("Error writing to replica: {}", e);
                return false;
            }
        }
    }
    true
}

/// Before the loop sleeps: GETACK for WAIT, schedule writes of new stream bytes, enforce the
/// output-buffer limits, release buffer blocks nobody needs.
pub fn before_sleep(srv: &mut Server) {
    if srv.repl.acks_changed {
        srv.repl.acks_changed = false;
        if !srv.repl.waiting.is_empty() {
            serve_waiting(srv);
        }
    }
    // a replica finished loading a diskless transfer: reap the child now rather than at the
    // next cron tick, so that its stream starts at once
    if srv.repl.reap_child_asap {
        srv.repl.reap_child_asap = false;
        if srv.rdb.child.is_some() {
            crate::persist::cron(srv);
        }
    }
    if srv.repl.start_sync_asap {
        srv.repl.start_sync_asap = false;
        if srv.rdb.child.is_none() && srv.aof.child.is_none() {
            start_bgsave_for_replication(srv);
        }
    }
    if srv.repl.getack_pending {
        srv.repl.getack_pending = false;
        if !srv.repl.replicas.is_empty() {
            srv.prop.feed_repl_command(&[b"REPLCONF", b"GETACK", b"*"]);
        }
    }
    if srv.prop.backlog.is_none() {
        return;
    }
    let fed = std::mem::take(&mut srv.prop.repl_fed);
    let limit = srv.config.client_output_buffer_limit[1];
    let backlog_size = srv.config.repl_backlog_size.max(1) as u64;
    let now = srv.mstime();
    let end = srv.prop.repl_offset;
    let mut min_pos: Option<u64> = None;
    let mut dropped = Vec::new();
    for i in 0..srv.repl.replicas.len() {
        let t = srv.repl.replicas[i];
        let Some(Some(c)) = srv.clients.get_mut(t) else { continue };
        let closing = c.has(cflags::CLOSE_ASAP);
        let reply_pending = (c.reply.rb.buf.len() - c.sent) as u64;
        let Some(link) = c.repl.as_mut() else { continue };
        if !link.holds_buffer() {
            continue;
        }
        let behind = (end + 1).saturating_sub(link.pos) + reply_pending;
        // a hard limit below the backlog size would drop replicas a partial resync just
        // accepted: it counts as the backlog size, as in Redis
        let hard = if limit.hard_limit_bytes > 0 { limit.hard_limit_bytes.max(backlog_size) } else { 0 };
        let mut over = hard > 0 && behind >= hard;
        if limit.soft_limit_bytes > 0 && behind >= limit.soft_limit_bytes {
            if link.soft_since_ms == 0 {
                link.soft_since_ms = now;
            } else if now - link.soft_since_ms > limit.soft_limit_seconds * 1000 {
                over = true;
            }
        } else {
            link.soft_since_ms = 0;
        }
        if over && !closing {
            c.flags |= cflags::CLOSE_ASAP;
            dropped.push(t);
            continue;
        }
        min_pos = Some(min_pos.map_or(link.pos, |m: u64| m.min(link.pos)));
        let streaming = link.streaming();
        if fed && streaming && !c.pending_write {
            c.pending_write = true;
            srv.pending_writes.push(t);
        }
    }
    for t in dropped {
        if let Some(c) = crate::net::take_client(srv, t) {
            let info = crate::net::client_info_line(srv, &c);
            log_warning!("Client {} scheduled to be closed ASAP for overcoming of output buffer limits.", info);
            crate::net::put_client(srv, c);
        }
        srv.to_close.push(t);
    }
    if let Some(b) = &mut srv.prop.backlog {
        b.trim(min_pos);
    }
}

/// A replica client goes away.
pub fn replica_freed(srv: &mut Server, c: &Client) {
    if !c.has(cflags::SLAVE) || c.has(cflags::MONITOR) {
        return;
    }
    let before = srv.repl.replicas.len();
    srv.repl.replicas.retain(|&t| t != c.token);
    if srv.repl.replicas.len() != before {
        log_notice!("Connection with replica {} lost.", replica_name(c));
        if srv.repl.replicas.is_empty() {
            srv.repl.no_replicas_since = srv.mstime() / 1000;
        }
    }
}

/// Closes every replica link (after our history changed, they must resync).
pub fn disconnect_replicas(srv: &mut Server) {
    for t in srv.repl.replicas.clone() {
        if let Some(Some(c)) = srv.clients.get_mut(t) {
            c.flags |= cflags::CLOSE_ASAP;
            srv.to_close.push(t);
        }
    }
}

/// REPLCONF <option> <value> ...
pub fn replconf_command(ctx: &mut Ctx) {
    if ctx.argc().is_multiple_of(2) {
        ctx.error("ERR syntax error");
        return;
    }
    let now = ctx.srv.mstime();
    let mut i = 1;
    while i < ctx.argc() {
        let opt = String::from_utf8_lossy(ctx.arg(i)).to_ascii_lowercase();
        let val = ctx.arg(i + 1).to_vec();
        match opt.as_str() {
            "listening-port" => {
                let Some(p) = parse_i64(&val).filter(|p| (0..=65535).contains(p)) else {
                    ctx.error("ERR value is not an integer or out of range");
                    return;
                };
                ctx.c.repl.get_or_insert_with(|| Box::new(ReplicaLink::new(now))).listening_port = p as u16;
            }
            "ip-address" => {
                let ip = String::from_utf8_lossy(&val).to_string();
                if ip.len() >= 46 {
                    let e =
                        format!("ERR REPLCONF ip-address provided by replica instance is too long: {} bytes", ip.len());
                    ctx.error(&e);
                    return;
                }
                ctx.c.repl.get_or_insert_with(|| Box::new(ReplicaLink::new(now))).announced_ip = Some(ip);
            }
            "capa" => {
                let link = ctx.c.repl.get_or_insert_with(|| Box::new(ReplicaLink::new(now)));
                if val.eq_ignore_ascii_case(b"eof") {
                    link.capa_eof = true;
                } else if val.eq_ignore_ascii_case(b"psync2") {
                    link.capa_psync2 = true;
                }
            }
            "ack" => {
                // only replicas acknowledge, and an ACK gets no reply
                if !ctx.c.has(cflags::SLAVE) {
                    return;
                }
                let Some(off) = parse_i64(&val) else { return };
                let off = off.max(0) as u64;
                let srv = &mut *ctx.srv;
                let Some(link) = ctx.c.repl.as_mut() else { return };
                if off > link.ack_off {
                    link.ack_off = off;
                }
                link.ack_ms = now;
                srv.repl.acks_changed = true;
                if link.state == SyncState::WaitBgsaveEnd {
                    link.early_ack = true;
                    srv.repl.reap_child_asap = true;
                }
                if link.wait_ack && link.state == SyncState::Online {
                    link.wait_ack = false;
                    srv.schedule_write(ctx.c);
                }
                return;
            }
            "getack" => {
                if ctx.srv.masterhost.is_some() && ctx.c.has(cflags::MASTER) {
                    crate::repl::replica::send_ack(ctx.srv);
                }
                return;
            }
            "rdb-only" => {
                let Some(v) = parse_i64(&val).filter(|v| (0..=1).contains(v)) else {
                    ctx.error("ERR value is not an integer or out of range");
                    return;
                };
                ctx.c.repl.get_or_insert_with(|| Box::new(ReplicaLink::new(now))).rdb_only = v == 1;
            }
            _ => {
                let e = format!("ERR Unrecognized REPLCONF option: {opt}");
                ctx.error(&e);
                return;
            }
        }
        i += 2;
    }
    ctx.ok();
}

/// WAIT numreplicas timeout.
pub fn wait_command(ctx: &mut Ctx) {
    if ctx.srv.masterhost.is_some() {
        ctx.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.");
        return;
    }
    let Some(num) = parse_i64(ctx.arg(1)) else {
        ctx.error("ERR value is not an integer or out of range");
        return;
    };
    let Some(timeout) = parse_i64(ctx.arg(2)) else {
        ctx.error("ERR timeout is not an integer or out of range");
        return;
    };
    if timeout < 0 {
        ctx.error("ERR timeout is negative");
        return;
    }
    let off = ctx.c.woff;
    let acked = acks_for(ctx.srv, off);
    if acked as i64 >= num || !ctx.may_block() {
        ctx.int(acked as i64);
        return;
    }
    let deadline = if timeout > 0 { ctx.srv.mstime().saturating_add(timeout) } else { 0 };
    ctx.block_for_acks(off, num, deadline);
    let id = ctx.c.id;
    ctx.srv.repl.waiting.push(id);
    ctx.srv.repl.getack_pending = true;
}

/// Online replicas that acknowledged offset `off`.
pub fn acks_for(srv: &Server, off: u64) -> usize {
    let mut n = 0;
    for &t in &srv.repl.replicas {
        if let Some(Some(c)) = srv.clients.get(t) {
            if let Some(l) = &c.repl {
                if l.state == SyncState::Online && l.ack_off >= off {
                    n += 1;
                }
            }
        }
    }
    n
}

/// Releases the WAIT clients whose offset enough replicas acknowledged.
fn serve_waiting(srv: &mut Server) {
    let ids = std::mem::take(&mut srv.repl.waiting);
    let mut still = Vec::new();
    for id in ids {
        let Some(&t) = srv.client_order.get(&id) else { continue };
        let Some(mut c) = crate::net::take_client(srv, t) else { continue };
        if let Some((off, num)) = c.block.as_ref().and_then(|b| b.wait_repl) {
            if acks_for(srv, off) as i64 >= num {
                // the timeout path answers with the count, which is now enough
                crate::blocking::timeout_client(srv, &mut c);
            } else {
                still.push(id);
            }
        }
        crate::net::put_client(srv, c);
    }
    still.append(&mut srv.repl.waiting);
    srv.repl.waiting = still;
}

/// min-replicas-to-write: whether writes may run (always on a replica, or when the check is
/// off).
pub fn enough_good_replicas(srv: &Server) -> bool {
    srv.masterhost.is_some()
        || srv.config.min_replicas_to_write == 0
        || srv.config.min_replicas_max_lag == 0
        || good_replicas(srv) >= srv.config.min_replicas_to_write as usize
}

/// The state of a coordinated failover (master_failover_state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailoverState {
    #[default]
    None,
    /// Writes are held until a replica (the target) acknowledged our whole stream.
    WaitForSync,
    /// We became a replica of the target and asked it to take over (PSYNC ... FAILOVER).
    InProgress,
}

impl FailoverState {
    pub fn info_name(self) -> &'static str {
        match self {
            FailoverState::None => "no-failover",
            FailoverState::WaitForSync => "waiting-for-sync",
            FailoverState::InProgress => "failover-in-progress",
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Failover {
    pub state: FailoverState,
    pub target: Option<(String, u16)>,
    /// ms since the epoch; 0: no timeout.
    pub end_ms: i64,
    pub force: bool,
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms].
pub fn failover_command(ctx: &mut Ctx) {
    if ctx.srv.config.cluster_enabled {
        ctx.error("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.");
        return;
    }
    if ctx.argc() == 2 && ctx.arg(1).eq_ignore_ascii_case(b"abort") {
        if ctx.srv.repl.failover.state == FailoverState::None {
            ctx.error("ERR No failover in progress.");
            return;
        }
        abort_failover(ctx.srv, "Failover manually aborted");
        ctx.ok();
        return;
    }
    let mut timeout = 0i64;
    let mut force = false;
    let mut target: Option<(String, i64)> = None;
    let mut j = 1;
    while j < ctx.argc() {
        let a = ctx.arg(j).to_ascii_lowercase();
        if a == b"timeout" && j + 1 < ctx.argc() && timeout == 0 {
            let Some(t) = parse_i64(ctx.arg(j + 1)) else {
                ctx.error("ERR value is not an integer or out of range");
                return;
            };
            if t <= 0 {
                ctx.error("ERR FAILOVER timeout must be greater than 0");
                return;
            }
            timeout = t;
            j += 2;
        } else if a == b"to" && j + 2 < ctx.argc() && target.is_none() {
            let Some(port) = parse_i64(ctx.arg(j + 2)) else {
                ctx.error("ERR value is not an integer or out of range");
                return;
            };
            target = Some((String::from_utf8_lossy(ctx.arg(j + 1)).to_string(), port));
            j += 3;
        } else if a == b"force" && !force {
            force = true;
            j += 1;
        } else {
            ctx.error("ERR syntax error");
            return;
        }
    }
    if ctx.srv.repl.failover.state != FailoverState::None {
        ctx.error("ERR FAILOVER already in progress.");
        return;
    }
    if ctx.srv.masterhost.is_some() {
        ctx.error("ERR FAILOVER is not valid when server is a replica.");
        return;
    }
    if ctx.srv.repl.replicas.is_empty() {
        ctx.error("ERR FAILOVER requires connected replicas.");
        return;
    }
    if force && (timeout == 0 || target.is_none()) {
        ctx.error("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
        return;
    }
    let mut fo = Failover { force, ..Default::default() };
    if let Some((host, port)) = target {
        let found = replica_rows(ctx.srv).into_iter().find(|r| r.ip == host && r.port as i64 == port);
        let Some(row) = found else {
            ctx.error("ERR FAILOVER target HOST and PORT is not a replica.");
            return;
        };
        if row.state != SyncState::Online {
            ctx.error("ERR FAILOVER target replica is not online.");
            return;
        }
        log_notice!("FAILOVER requested to {}:{}.", host, port);
        fo.target = Some((host, port as u16));
    } else {
        log_notice!("FAILOVER requested to any replica.");
    }
    if timeout > 0 {
        fo.end_ms = ctx.srv.mstime().saturating_add(timeout);
    }
    fo.state = FailoverState::WaitForSync;
    ctx.srv.repl.failover = fo;
    ctx.srv.pause.failover = true;
    ctx.ok();
}

/// Ends a failover, successful or not, and lets held writes go.
pub fn clear_failover(srv: &mut Server) {
    srv.repl.failover = Failover::default();
    srv.pause.failover = false;
    crate::cmd::client::release_paused(srv);
}

/// Gives up a failover (abortFailover): back to master if we had already switched.
pub fn abort_failover(srv: &mut Server, why: &str) {
    let fo = srv.repl.failover.clone();
    if fo.state == FailoverState::None {
        return;
    }
    match &fo.target {
        Some((h, p)) => log_notice!("FAILOVER to {}:{} aborted: {}", h, p, why),
        None => log_notice!("FAILOVER to any replica aborted: {}", why),
    }
    if fo.state == FailoverState::InProgress {
        crate::repl::replica::unset_master(srv);
    }
    clear_failover(srv);
}

/// Called by the cron: times out a failover, or starts the hand-over once the target (or any
/// replica) acknowledged everything.
fn update_failover(srv: &mut Server) {
    if srv.repl.failover.state != FailoverState::WaitForSync {
        return;
    }
    let now = srv.mstime();
    let fo = srv.repl.failover.clone();
    if fo.end_ms != 0 && fo.end_ms <= now {
        if fo.force {
            let (h, p) = fo.target.clone().expect("force has a target");
            log_notice!("FAILOVER to {}:{} time out exceeded, failing over.", h, p);
            srv.repl.failover.state = FailoverState::InProgress;
            crate::repl::replica::set_master(srv, &h, p);
        } else {
            abort_failover(srv, "Replica never caught up before timeout");
        }
        return;
    }
    let end = srv.prop.repl_offset;
    let rows = replica_rows(srv);
    let caught_up = match &fo.target {
        Some((h, p)) => rows.iter().find(|r| &r.ip == h && r.port == *p).filter(|r| r.ack_off == end).cloned(),
        None => rows.iter().find(|r| r.ack_off == end).cloned(),
    };
    if let Some(r) = caught_up {
        srv.repl.failover.target = Some((r.ip.clone(), r.port));
        srv.repl.failover.state = FailoverState::InProgress;
        log_notice!("Failover target {}:{} is synced, failing over.", r.ip, r.port);
        crate::repl::replica::set_master(srv, &r.ip, r.port);
    }
}

/// Online replicas whose last ACK is within min-replicas-max-lag.
pub fn good_replicas(srv: &Server) -> usize {
    let now = srv.mstime();
    let max_lag = srv.config.min_replicas_max_lag as i64 * 1000;
    let mut good = 0;
    for &t in &srv.repl.replicas {
        if let Some(Some(c)) = srv.clients.get(t) {
            if let Some(l) = &c.repl {
                if l.state == SyncState::Online && now - l.ack_ms <= max_lag {
                    good += 1;
                }
            }
        }
    }
    good
}

/// The master half of the once-a-second replication cron.
pub fn cron(srv: &mut Server) {
    let now = srv.mstime();
    // PING the replicas now and then, so they can tell a dead link from a quiet one
    let period = srv.config.repl_ping_replica_period.max(1) as u64;
    let failing_over = srv.repl.failover.state != FailoverState::None;
    if srv.masterhost.is_none()
        && !failing_over
        && !srv.repl.replicas.is_empty()
        && srv.repl.cron_loops.is_multiple_of(period)
    {
        srv.prop.feed_repl_command(&[b"PING"]);
    }
    let socket_child = srv.repl.sync_child.as_ref().is_some_and(|s| s.target_socket);
    let timeout_ms = srv.config.repl_timeout as i64 * 1000;
    for t in srv.repl.replicas.clone() {
        let Some(mut c) = crate::net::take_client(srv, t) else { continue };
        let Some((state, pre_psync, ack_ms)) = c.repl.as_ref().map(|l| (l.state, l.pre_psync, l.ack_ms)) else {
            crate::net::put_client(srv, c);
            continue;
        };
        // keepalive newlines while the replica waits for its snapshot (not while a child
        // writes to its socket)
        let presync = state == SyncState::WaitBgsaveStart || (state == SyncState::WaitBgsaveEnd && !socket_child);
        if presync {
            c.reply.rb.buf.push(b'\n');
            srv.schedule_write(&mut c);
        }
        if state == SyncState::Online && !pre_psync && now - ack_ms > timeout_ms {
            log_warning!("Disconnecting timedout replica (streaming sync): {}", replica_name(&c));
            c.flags |= cflags::CLOSE_ASAP;
            srv.to_close.push(t);
        }
        crate::net::put_client(srv, c);
    }
    // start the fork replicas wait for, once no other child runs (and the diskless delay or
    // the replica count allows)
    if srv.rdb.child.is_none() && srv.aof.child.is_none() {
        let mut waiting = 0;
        let mut oldest = now;
        for &t in &srv.repl.replicas {
            if let Some(Some(c)) = srv.clients.get(t) {
                if let Some(l) = &c.repl {
                    if l.state == SyncState::WaitBgsaveStart {
                        waiting += 1;
                        oldest = oldest.min(l.wait_since_ms);
                    }
                }
            }
        }
        if waiting > 0 {
            let delay = srv.config.repl_diskless_sync_delay as i64 * 1000;
            let max = srv.config.repl_diskless_sync_max_replicas as usize;
            if !srv.config.repl_diskless_sync || now - oldest >= delay || (max > 0 && waiting >= max) {
                start_bgsave_for_replication(srv);
            }
        }
    }
    // a master with no replica frees its backlog after repl-backlog-ttl
    let ttl = srv.config.repl_backlog_ttl;
    if srv.repl.replicas.is_empty() && ttl > 0 && srv.prop.backlog.is_some() && srv.masterhost.is_none() {
        let idle = now / 1000 - srv.repl.no_replicas_since;
        if idle > ttl {
            crate::repl::change_replid(srv);
            crate::repl::clear_replid2(srv);
            crate::repl::free_backlog(srv);
            log_notice!("Replication backlog freed after {} seconds without connected replicas.", ttl);
        }
    }
    remove_rdb_used_for_sync(srv);
    update_failover(srv);
    if let Some(b) = &mut srv.prop.backlog {
        let size = srv.config.repl_backlog_size.max(1) as u64;
        if b.size() != size {
            b.set_size(size);
        }
    }
}

/// rdb-del-sync-files: a server without persistence deletes the RDB file it wrote only to feed
/// replicas, once no replica still needs it.
fn remove_rdb_used_for_sync(srv: &mut Server) {
    if !srv.config.rdb_del_sync_files {
        srv.repl.rdb_for_replicas = false;
        return;
    }
    let persistence_off = srv.config.save.is_empty() && !srv.aof.on;
    if !persistence_off || !srv.repl.rdb_for_replicas || srv.rdb.child.is_some() {
        return;
    }
    let in_use = srv.repl.replicas.iter().any(|&t| state_of(srv, t).is_some_and(|s| s != SyncState::Online));
    if !in_use && std::fs::symlink_metadata(&srv.config.dbfilename).is_ok() {
        srv.repl.rdb_for_replicas = false;
        log_notice!("Removing the RDB file used to feed replicas in a persistence-less instance");
        let _ = std::fs::remove_file(&srv.config.dbfilename);
    }
}

/// One replica as INFO and ROLE show it.
#[derive(Debug, Clone)]
pub struct ReplicaRow {
    pub ip: String,
    pub port: u16,
    pub state: SyncState,
    pub ack_off: u64,
    /// Seconds since its last ACK (0 unless online).
    pub lag: i64,
    /// vireo's additions: how far behind its acknowledged offset is, in bytes and in time.
    pub lag_bytes: u64,
    pub lag_ms: i64,
}

/// The replicas for the `slaveN:` lines of INFO replication and for ROLE, in attach order.
pub fn replica_rows(srv: &Server) -> Vec<ReplicaRow> {
    let now = srv.mstime();
    let end = srv.prop.repl_offset;
    let mut rows = Vec::new();
    for &t in &srv.repl.replicas {
        let Some(Some(c)) = srv.clients.get(t) else { continue };
        let Some(l) = &c.repl else { continue };
        let online = l.state == SyncState::Online;
        let lag = if online { (now - l.ack_ms) / 1000 } else { 0 };
        let (lag_bytes, lag_ms) = if online && !l.pre_psync {
            (end.saturating_sub(l.ack_off), crate::repl::age_of_offset(srv, l.ack_off))
        } else {
            (0, 0)
        };
        rows.push(ReplicaRow {
            ip: replica_ip(c),
            port: l.listening_port,
            state: l.state,
            ack_off: l.ack_off,
            lag,
            lag_bytes,
            lag_ms,
        });
    }
    rows
}

/// `slaveN:` values for INFO: Redis's ip, port, state, offset, lag, then vireo's lag_bytes and
/// lag_ms (after Redis's keys, so parsers of Redis's line keep working).
pub fn info_line(r: &ReplicaRow) -> String {
    format!(
        "ip={},port={},state={},offset={},lag={},lag_bytes={},lag_ms={}",
        r.ip,
        r.port,
        r.state.info_name(),
        r.ack_off,
        r.lag,
        r.lag_bytes,
        r.lag_ms
    )
}
