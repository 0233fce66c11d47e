//! The event loop (ae-style, on mio): listeners, accepting clients, reading and parsing query
//! buffers, running the parsed commands through the gate, writing replies before the loop
//! sleeps, closing clients, and calling the cron at `hz`. One thread runs all of it and owns
//! the server state; nothing here knows what a command does.

use crate::client::{cflags, Client, Conn};
use crate::exec::{process_command, Gate};
use crate::server::Server;
use crate::{log_notice, log_verbose, log_warning};
use mio::net::{TcpListener, UnixListener};
use mio::{Events, Interest, Poll, Token};
use std::io::{self, ErrorKind};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use vireo_resp::request::Parsed;
use vireo_resp::Limits;

const LISTENER_BASE: usize = usize::MAX / 2;
const READ_CHUNK: usize = 16 * 1024;
/// Bytes read from one client per readiness event before giving others a turn.
const READ_BUDGET: usize = 1024 * 1024;
const MAX_ACCEPTS_PER_CALL: usize = 1000;

pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, String),
}

pub struct EventLoop {
    pub poll: Poll,
    events: Events,
    /// Clients that still had input when their read budget ran out.
    ready: Vec<usize>,
    next_cron: Instant,
}

impl EventLoop {
    pub fn new() -> io::Result<EventLoop> {
        Ok(EventLoop {
            poll: Poll::new()?,
            events: Events::with_capacity(1024),
            ready: Vec::new(),
            next_cron: Instant::now(),
        })
    }

    /// Runs until shutdown; returns the process exit code.
    pub fn run(&mut self, srv: &mut Server) -> i32 {
        self.next_cron = Instant::now();
        loop {
            self.apply_net_changes(srv);
            before_sleep(srv);
            if !srv.loop_jobs.is_empty() {
                // long jobs commands handed over (DEBUG RELOAD...), once the round's replies
                // and AOF writes are out; their clients' sockets are read again afterwards
                let reread =
                    crate::loop_job::run_queued(srv, &mut |s: &mut Server| self.process_events_while_blocked(s));
                self.ready.extend(reread);
            }
            let now = Instant::now();
            let mut timeout = self.next_cron.saturating_duration_since(now);
            if let Some(d) = srv.blocking.next_deadline() {
                let left = d - crate::server::now_ms();
                timeout = timeout.min(Duration::from_millis(left.max(0) as u64));
            }
            if !self.ready.is_empty() || !srv.pending_writes.is_empty() || srv.evict.proc_running {
                timeout = Duration::ZERO;
            }
            self.poll_once(srv, timeout);
            // eviction left unfinished by a round that ran out of time, or a lowered maxmemory
            crate::evict::time_proc(srv);
            if Instant::now() >= self.next_cron {
                crate::cron::server_cron(srv);
                let period = Duration::from_micros(1_000_000 / srv.hz.max(1) as u64);
                self.next_cron += period;
                let now = Instant::now();
                if self.next_cron < now {
                    self.next_cron = now + period;
                }
            }
            // the signal handlers (startup.rs) set shutdown_asap
            if srv.shutdown_asap.load(Ordering::Relaxed) || srv.shutdown_requested.is_some() {
                if let Some(code) = crate::cmd::server_admin::try_shutdown(srv, self) {
                    return code;
                }
            }
        }
    }

    /// One wait for events (at most `timeout`) and their handling: accepts, writes, reads and
    /// the commands they carry. Returns the number of events.
    fn poll_once(&mut self, srv: &mut Server, timeout: Duration) -> usize {
        if let Err(e) = self.poll.poll(&mut self.events, Some(timeout)) {
            if e.kind() != ErrorKind::Interrupted {
                log_warning!("Event loop poll failed: {}", e);
            }
        }
        srv.update_cached_time();
        let tokens: Vec<(usize, bool, bool)> = self
            .events
            .iter()
            .map(|ev| (ev.token().0, ev.is_readable() || ev.is_read_closed() || ev.is_error(), ev.is_writable()))
            .collect();
        let n = tokens.len();
        for (t, readable, writable) in tokens {
            if t == crate::repl::replica::WAKER_TOKEN {
                // the link's helper thread has news (not while loading: the cron looks again)
                if !srv.loading {
                    crate::repl::replica::on_wake(srv, &mut |s: &mut Server| self.process_events_while_blocked(s));
                }
                continue;
            }
            if t >= LISTENER_BASE {
                self.accept(srv, t - LISTENER_BASE);
                continue;
            }
            if writable {
                write_client(srv, t);
            }
            if readable {
                read_client(srv, t, &mut self.ready);
            }
        }
        // clients whose read budget ran out get another turn
        let again = std::mem::take(&mut self.ready);
        for t in again {
            read_client(srv, t, &mut self.ready);
        }
        n
    }

    /// Serves clients in the middle of a long job of the event-loop thread (loading the
    /// dataset at startup, for a replica's sync, for DEBUG RELOAD/LOADAOF), as Redis's processEventsWhileBlocked: up to four rounds of
    /// accepting, reading, running commands and writing replies, never waiting, without the
    /// cron or the background work of `before_sleep` (expiry, AOF, replication).
    pub fn process_events_while_blocked(&mut self, srv: &mut Server) {
        for _ in 0..4 {
            let n = self.poll_once(srv, Duration::ZERO);
            write_and_close(srv);
            if n == 0 && self.ready.is_empty() {
                break;
            }
        }
        // a SHUTDOWN or a signal while loading ends the process here, without saving
        if srv.shutdown_asap.load(Ordering::Relaxed) || srv.shutdown_requested.is_some() {
            if let Some(code) = crate::cmd::server_admin::try_shutdown(srv, self) {
                std::process::exit(code);
            }
        }
    }

    fn apply_net_changes(&mut self, srv: &mut Server) {
        for ch in std::mem::take(&mut srv.net_changes) {
            match ch {
                crate::server::NetChange::Rebind => {
                    if let Err(e) = listen_tcp(srv) {
                        log_warning!("{}", e);
                    }
                }
                crate::server::NetChange::RebindUnix => {
                    if let Err(e) = listen_unix(srv) {
                        log_warning!("{}", e);
                    }
                }
            }
        }
    }

    fn accept(&mut self, srv: &mut Server, idx: usize) {
        for _ in 0..MAX_ACCEPTS_PER_CALL {
            let accepted = match srv.listeners.get(idx) {
                Some(Some(Listener::Tcp(l))) => match l.accept() {
                    Ok((s, peer)) => {
                        let _ = s.set_nodelay(true);
                        let local = s.local_addr().map(|a| format_addr(&a)).unwrap_or_default();
                        Some((Conn::Tcp(s), format_addr(&peer), local, false))
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => None,
                    Err(e) => {
                        log_verbose!("Accepting client connection: {}", e);
                        None
                    }
                },
                Some(Some(Listener::Unix(l, path))) => match l.accept() {
                    Ok((s, _)) => {
                        let a = format!("{}:0", path);
                        Some((Conn::Unix(s), a.clone(), a, true))
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => None,
                    Err(e) => {
                        log_verbose!("Accepting client connection: {}", e);
                        None
                    }
                },
                _ => None,
            };
            let Some((conn, addr, laddr, unix)) = accepted else {
                return;
            };
            if !unix {
                log_verbose!("Accepted {}", addr);
            } else {
                log_verbose!("Accepted connection to {}", srv.config.unixsocket);
            }
            self.add_client(srv, conn, addr, laddr, unix);
        }
    }

    fn add_client(&mut self, srv: &mut Server, mut conn: Conn, addr: String, laddr: String, unix: bool) {
        if srv.connected_clients() >= srv.config.maxclients as usize {
            let _ = conn.write(b"-ERR max number of clients reached\r\n");
            srv.stats.rejected_conn += 1;
            return;
        }
        if !unix && srv.config.tcp_keepalive > 0 {
            set_keepalive(conn.fd(), srv.config.tcp_keepalive);
        }
        let local = unix || is_loopback(&addr);
        if srv.config.protected_mode && !srv.auth_required() && !local {
            let _ = conn.write(PROTECTED_MODE_ERR.as_bytes());
            srv.stats.rejected_conn += 1;
            return;
        }
        let token = srv.clients.vacant_key();
        if token >= LISTENER_BASE {
            return;
        }
        let id = srv.next_client_id;
        srv.next_client_id += 1;
        let mut c = Client::new(id, token, conn, addr, laddr, srv.mstime());
        if unix {
            c.flags |= cflags::UNIX_SOCKET;
        }
        c.authenticated = !srv.auth_required();
        let res = match &mut c.conn {
            Conn::Tcp(s) => self.poll.registry().register(s, Token(token), Interest::READABLE | Interest::WRITABLE),
            Conn::Unix(s) => self.poll.registry().register(s, Token(token), Interest::READABLE | Interest::WRITABLE),
            Conn::None => Ok(()),
        };
        if res.is_err() {
            return;
        }
        c.registered = true;
        let at = srv.clients.insert(Some(Box::new(c)));
        debug_assert_eq!(at, token);
        srv.client_order.insert(id, token);
        srv.stats.numconnections += 1;
    }
}

/// Binds the TCP listeners from `bind`/`port` (Redis's rules: a "-" prefix marks an address
/// whose failure is ignored, "*" is every IPv4 address, "::*" every IPv6 address).
pub fn listen_tcp(srv: &mut Server) -> Result<(), String> {
    let port = srv.config.port;
    // bind everything new first, so a failure leaves the old listeners in place
    let mut fresh = Vec::new();
    if port != 0 {
        for b in srv.config.bind.clone() {
            let (optional, addr) = match b.strip_prefix('-') {
                Some(a) => (true, a.to_string()),
                None => (false, b.clone()),
            };
            let ip = match addr.as_str() {
                "*" => "0.0.0.0",
                "::*" => "::",
                a => a,
            };
            match bind_tcp(ip, port, srv.config.tcp_backlog) {
                Ok(l) => fresh.push(l),
                Err(e) => {
                    log_warning!(
                        "Warning: Could not create server TCP listening socket {}:{}: {}",
                        addr,
                        port,
                        describe_bind_error(&e)
                    );
                    let code = e.raw_os_error().unwrap_or(0);
                    if code == libc::EADDRNOTAVAIL && optional {
                        continue;
                    }
                    if [libc::ENOPROTOOPT, libc::EPROTONOSUPPORT, libc::ESOCKTNOSUPPORT, libc::EPFNOSUPPORT]
                        .contains(&code)
                        || code == libc::EAFNOSUPPORT
                        || code == libc::EADDRNOTAVAIL
                    {
                        continue;
                    }
                    return Err(format!("Failed listening on port {} (TCP), aborting.", port));
                }
            }
        }
    }
    close_listeners_where(srv, |l| matches!(l, Listener::Tcp(_)));
    for l in fresh {
        add_listener(srv, Listener::Tcp(l)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn listen_unix(srv: &mut Server) -> Result<(), String> {
    close_listeners_where(srv, |l| matches!(l, Listener::Unix(..)));
    let path = srv.config.unixsocket.clone();
    if path.is_empty() {
        return Ok(());
    }
    let _ = std::fs::remove_file(&path);
    let l = UnixListener::bind(&path).map_err(|e| {
        log_warning!("Failed opening Unix socket: {}", e);
        "Failed opening Unix socket".to_string()
    })?;
    let perm = srv.config.unixsocketperm;
    if perm != 0 {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(perm));
    }
    add_listener(srv, Listener::Unix(l, path)).map_err(|e| e.to_string())
}

fn add_listener(srv: &mut Server, mut l: Listener) -> io::Result<()> {
    // reuse a free slot so tokens stay small and stable
    let idx = srv.listeners.iter().position(|x| x.is_none()).unwrap_or(srv.listeners.len());
    let token = Token(LISTENER_BASE + idx);
    let reg = srv.poll_registry.as_ref().ok_or_else(|| io::Error::other("no poller"))?;
    match &mut l {
        Listener::Tcp(t) => reg.register(t, token, Interest::READABLE)?,
        Listener::Unix(u, _) => reg.register(u, token, Interest::READABLE)?,
    }
    if idx == srv.listeners.len() {
        srv.listeners.push(Some(l));
    } else {
        srv.listeners[idx] = Some(l);
    }
    Ok(())
}

fn close_listeners_where(srv: &mut Server, pred: impl Fn(&Listener) -> bool) {
    for slot in srv.listeners.iter_mut() {
        if slot.as_ref().is_some_and(&pred) {
            if let Some(mut l) = slot.take() {
                if let Some(reg) = srv.poll_registry.as_ref() {
                    let _ = match &mut l {
                        Listener::Tcp(t) => reg.deregister(t),
                        Listener::Unix(u, _) => reg.deregister(u),
                    };
                }
                if let Listener::Unix(_, path) = &l {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
}

/// Closes every listener (shutdown) and removes the unix socket file.
pub fn close_listeners(srv: &mut Server) {
    for l in srv.listeners.drain(..).flatten() {
        if let Listener::Unix(_, path) = l {
            log_notice!("Removing the unix socket file.");
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Text sent to non-local clients in protected mode.
pub const PROTECTED_MODE_ERR: &str = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

fn is_loopback(addr: &str) -> bool {
    addr.starts_with("127.0.0.1:") || addr.starts_with("[::1]:")
}

/// "ip:port", or "[ip6]:port" like Redis's anetFormatAddr.
pub fn format_addr(a: &std::net::SocketAddr) -> String {
    match a {
        std::net::SocketAddr::V4(v) => format!("{}:{}", v.ip(), v.port()),
        std::net::SocketAddr::V6(v) => match v.ip().to_ipv4_mapped() {
            Some(v4) => format!("{}:{}", v4, v.port()),
            None => format!("[{}]:{}", v.ip(), v.port()),
        },
    }
}

/// "bind: <strerror>" like the network layer of Redis reports it.
fn describe_bind_error(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => format!("bind: {}", crate::util::strerror(code)),
        None => e.to_string(),
    }
}

fn bind_tcp(ip: &str, port: u16, backlog: i32) -> io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let addr = match ip.parse::<std::net::IpAddr>() {
        Ok(a) => std::net::SocketAddr::new(a, port),
        Err(_) => {
            use std::net::ToSocketAddrs;
            (ip, port).to_socket_addrs()?.next().ok_or_else(|| io::Error::from_raw_os_error(libc::EADDRNOTAVAIL))?
        }
    };
    let domain = if addr.is_ipv4() { Domain::IPV4 } else { Domain::IPV6 };
    let sock = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
    if addr.is_ipv6() {
        sock.set_only_v6(true)?;
    }
    sock.set_reuse_address(true)?;
    sock.set_nonblocking(true)?;
    sock.bind(&addr.into())?;
    sock.listen(backlog.max(1))?;
    Ok(TcpListener::from_std(sock.into()))
}

fn set_keepalive(fd: i32, secs: i32) {
    if fd < 0 {
        return;
    }
    let one: libc::c_int = 1;
    let intvl: libc::c_int = (secs / 3).max(1);
    let cnt: libc::c_int = 3;
    // SAFETY: setsockopt with valid pointers to c_int values on an open socket.
    unsafe {
        let sz = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
        libc::setsockopt(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, &one as *const _ as *const _, sz);
        libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, &secs as *const _ as *const _, sz);
        libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPINTVL, &intvl as *const _ as *const _, sz);
        libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPCNT, &cnt as *const _ as *const _, sz);
    }
}

/// Takes a client out of the slab for exclusive use; put it back with [`put_client`].
pub fn take_client(srv: &mut Server, token: usize) -> Option<Box<Client>> {
    srv.clients.get_mut(token).and_then(|c| c.take())
}

pub fn put_client(srv: &mut Server, c: Box<Client>) {
    let t = c.token;
    if let Some(slot) = srv.clients.get_mut(t) {
        *slot = Some(c);
    }
}

/// Reads what the socket has, then runs the complete commands found in the query buffer.
fn read_client(srv: &mut Server, token: usize, ready: &mut Vec<usize>) {
    let Some(mut c) = take_client(srv, token) else {
        return;
    };
    // closing, or held: a client waiting for its loop job, and the master link while a load
    // runs (its stream waits in the socket until the dataset is there)
    if c.has(cflags::CLOSE_ASAP | cflags::LOOP_JOB) || (srv.loading && c.has(cflags::MASTER)) {
        put_client(srv, c);
        return;
    }
    let mut total = 0usize;
    let mut closed = false;
    let read_from = c.qbuf.len();
    // the master's stream never ends: its client reads one chunk per turn, as Redis does, so
    // that the other clients are served in between
    let budget = if c.has(cflags::MASTER) { READ_CHUNK } else { READ_BUDGET };
    c.read_more = false;
    loop {
        let want = c.parser.pending_bulk_for(c.qbuf.len()).unwrap_or(0).max(READ_CHUNK);
        if c.qbuf.capacity() - c.qbuf.len() < want {
            c.qbuf.reserve(want);
        }
        let spare = c.qbuf.spare_capacity_mut();
        let len = if budget < READ_BUDGET { spare.len().min(want) } else { spare.len() };
        // SAFETY: reading into the uninitialized spare capacity; only the bytes the kernel
        // reports as written are exposed through set_len below.
        let buf = unsafe { std::slice::from_raw_parts_mut(spare.as_mut_ptr() as *mut u8, len) };
        match c.conn.read(buf) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => {
                // SAFETY: n bytes were initialized by read().
                unsafe { c.qbuf.set_len(c.qbuf.len() + n) };
                total += n;
                if n < len {
                    break;
                }
                if total >= budget {
                    c.read_more = true;
                    ready.push(token);
                    break;
                }
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                log_verbose!("Reading from client: {}", e);
                closed = true;
                break;
            }
        }
    }
    if total > 0 && c.has(cflags::MASTER) {
        crate::repl::replica::master_bytes_read(&mut c, read_from);
        c.net_in += total as u64;
        srv.stats.net_repl_input_bytes += total as u64;
        srv.stats.total_reads_processed += 1;
        c.last_interaction_ms = srv.mstime();
    } else if total > 0 {
        c.net_in += total as u64;
        srv.stats.net_input_bytes += total as u64;
        srv.stats.total_reads_processed += 1;
        c.last_interaction_ms = srv.mstime();
    }
    if closed && total == 0 {
        log_verbose!("Client closed connection {}", client_info_line(srv, &c));
        free_client(srv, c);
        return;
    }
    process_input(srv, &mut c);
    if c.qbuf.len() > c.qbuf_peak {
        c.qbuf_peak = c.qbuf.len();
    }
    let limit = srv.config.client_query_buffer_limit;
    if !c.has(cflags::MASTER) && c.qbuf.len() > limit && !c.has(cflags::CLOSE_ASAP) {
        log_warning!(
            "Closing client that reached max query buffer length: {} (qbuf initial bytes: {})",
            client_info_line(srv, &c),
            crate::util::repr(&c.qbuf[..c.qbuf.len().min(64)])
        );
        c.flags |= cflags::CLOSE_ASAP;
        srv.to_close.push(token);
    }
    if closed {
        // peer half-closed after sending: answer what it sent, then close
        c.flags |= cflags::CLOSE_AFTER_REPLY;
        if c.pending_output() == 0 {
            free_client(srv, c);
            return;
        }
    }
    if c.pending_output() > 0 {
        srv.schedule_write(&mut c);
    }
    put_client(srv, c);
}

/// Parses and runs every complete command in the client's query buffer.
pub fn process_input(srv: &mut Server, c: &mut Client) {
    let limits = Limits { proto_max_bulk_len: srv.config.proto_max_bulk_len as u64, authenticated: c.authenticated };
    if c.has(cflags::PENDING_COMMAND)
        && !c.has(cflags::PAUSED | cflags::BLOCKED | cflags::CLOSE_ASAP | cflags::LOOP_JOB)
    {
        // a command held back by CLIENT PAUSE runs first
        c.flags &= !cflags::PENDING_COMMAND;
        let reply_at = c.reply.rb.buf.len();
        let gate = process_command(srv, c);
        if c.has(cflags::MASTER) {
            crate::repl::replica::master_command_done(srv, c, reply_at);
        }
        if gate == Gate::Stop {
            return;
        }
    }
    loop {
        if c.has(cflags::CLOSE_AFTER_REPLY | cflags::CLOSE_ASAP | cflags::PAUSED | cflags::BLOCKED | cflags::LOOP_JOB) {
            c.has_pending_input = !c.qbuf.is_empty();
            break;
        }
        if c.qbuf.is_empty() {
            break;
        }
        let mut argv = std::mem::take(&mut c.argv);
        let limits = Limits { authenticated: c.authenticated, ..limits };
        let before = c.qbuf.len();
        let r = c.parser.parse(&mut c.qbuf, &mut argv, &limits);
        c.argv = argv;
        match r {
            Ok(Parsed::Command) => {
                // the request's bytes still count as query buffer while it runs (CLIENT LIST
                // shows them, as Redis does before it trims the buffer)
                c.qb_pos += before - c.qbuf.len();
                let reply_at = c.reply.rb.buf.len();
                let gate = process_command(srv, c);
                if c.has(cflags::MASTER) {
                    crate::repl::replica::master_command_done(srv, c, reply_at);
                }
                if !c.has(cflags::PENDING_COMMAND) {
                    // done with the arguments: don't keep them (and the buffer they share)
                    // alive until the next command
                    c.argv.clear();
                }
                if gate == Gate::Stop {
                    c.has_pending_input = !c.qbuf.is_empty();
                    break;
                }
            }
            Ok(Parsed::Nothing) => continue,
            Ok(Parsed::NeedMore) => break,
            Err(e) => {
                log_verbose!(
                    "Protocol error ({}) from client: {}. {}",
                    e.0,
                    client_info_line(srv, c),
                    protocol_dump(&c.qbuf)
                );
                c.reply.error(&format!("ERR {}", e));
                srv.count_errors(c);
                c.flags |= cflags::CLOSE_AFTER_REPLY;
                c.qbuf.clear();
                break;
            }
        }
    }
    c.qb_pos = 0;
}

/// Bytes of the query buffer shown in the protocol-error log line (Redis's PROTO_DUMP_LEN).
const PROTO_DUMP_LEN: usize = 128;

/// "Query buffer during protocol error: '...'" as Redis logs it: the unparsed bytes (the first
/// and last 64 of a longer buffer), non-printable bytes shown as '.'.
fn protocol_dump(qbuf: &[u8]) -> String {
    let printable = |b: &[u8]| -> String {
        // Redis formats into a C string first: a NUL byte ends the text
        let b = &b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())];
        b.iter().map(|&x| if (0x20..0x7f).contains(&x) { x as char } else { '.' }).collect()
    };
    let text = if qbuf.len() < PROTO_DUMP_LEN {
        format!("Query buffer during protocol error: '{}'", printable(qbuf))
    } else {
        let half = PROTO_DUMP_LEN / 2;
        format!(
            "Query buffer during protocol error: '{}' (... more {} bytes ...) '{}'",
            printable(&qbuf[..half]),
            qbuf.len() - PROTO_DUMP_LEN,
            printable(&qbuf[qbuf.len() - half..])
        )
    };
    // Redis builds the text in a 256-byte buffer
    text.chars().take(255).collect()
}

/// A client described as in CLIENT LIST, for log lines (as Redis's catClientInfoString).
pub fn client_info_line(srv: &Server, c: &Client) -> String {
    let argv_mem = c.argv.iter().map(|a| a.len()).sum();
    crate::cmd::client::client_info_string(srv, c, argv_mem)
}

/// Writes as much pending output as the socket takes.
fn write_client(srv: &mut Server, token: usize) {
    let Some(mut c) = take_client(srv, token) else {
        return;
    };
    let keep = write_pending(srv, &mut c);
    if keep {
        put_client(srv, c);
    } else {
        free_client(srv, c);
    }
}

/// Returns false when the client must be freed.
pub(crate) fn write_pending(srv: &mut Server, c: &mut Client) -> bool {
    if c.repl.as_ref().is_some_and(|l| l.stream_started) {
        // a streaming replica's connection carries the replication stream only
        c.reply.rb.buf.clear();
        c.sent = 0;
    }
    while c.sent < c.reply.rb.buf.len() {
        match c.conn.write(&c.reply.rb.buf[c.sent..]) {
            Ok(0) => return false,
            Ok(n) => {
                c.sent += n;
                c.net_out += n as u64;
                srv.stats.net_output_bytes += n as u64;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                log_verbose!("Error writing to client: {}", e);
                return false;
            }
        }
    }
    srv.stats.total_writes_processed += 1;
    if c.repl.is_some() && c.has(cflags::SLAVE) {
        c.reply.rb.buf.clear();
        c.sent = 0;
        return crate::repl::master::write_replica(srv, c) && !c.has(cflags::CLOSE_AFTER_REPLY);
    }
    let cap = c.reply.rb.buf.capacity();
    c.reply.rb.buf.clear();
    c.sent = 0;
    if cap > 1024 * 1024 {
        c.reply.rb.buf.shrink_to(16 * 1024);
        srv.stats.reply_buffer_shrinks += 1;
    }
    !c.has(cflags::CLOSE_AFTER_REPLY)
}

/// Work done before the loop sleeps: flush replies, close clients, fast expiry.
pub fn before_sleep(srv: &mut Server) {
    // the AOF is written (and with appendfsync always, fsynced) before any reply goes out
    if srv.aof.on {
        crate::aof::flush(srv);
    }
    if srv.blocking.next_deadline().is_some() {
        let now = crate::server::now_ms();
        crate::blocking::handle_timeouts(srv, now);
    }
    if srv.active_expire_enabled && srv.masterhost.is_none() {
        crate::cron::active_expire(srv, vireo_keyspace::expire::CycleKind::Fast);
    }
    crate::repl::master::before_sleep(srv);
    write_and_close(srv);
}

/// Writes the replies of clients with pending output and frees the clients marked to close.
fn write_and_close(srv: &mut Server) {
    let pending = std::mem::take(&mut srv.pending_writes);
    for t in pending {
        let Some(mut c) = take_client(srv, t) else {
            continue;
        };
        c.pending_write = false;
        if c.has(cflags::CLOSE_ASAP) {
            put_client(srv, c);
            continue;
        }
        if write_pending(srv, &mut c) {
            put_client(srv, c);
        } else {
            free_client(srv, c);
        }
    }
    let close = std::mem::take(&mut srv.to_close);
    for t in close {
        if let Some(c) = take_client(srv, t) {
            free_client(srv, c);
        }
    }
}

/// Frees a client: deregisters and drops its socket, removes it from every list.
pub fn free_client(srv: &mut Server, mut c: Box<Client>) {
    let t = c.token;
    match &mut c.conn {
        Conn::Tcp(s) => {
            let _ = mio::Registry::deregister(srv_registry(srv), s);
        }
        Conn::Unix(s) => {
            let _ = mio::Registry::deregister(srv_registry(srv), s);
        }
        Conn::None => {}
    }
    if c.has(cflags::MONITOR) {
        srv.monitors.retain(|&m| m != t);
    }
    crate::repl::master::replica_freed(srv, &c);
    crate::repl::replica::client_freed(srv, &mut c);
    if c.block.is_some() {
        crate::blocking::unblock_client(srv, &mut c);
    }
    crate::cmd::multi::unwatch_all(srv, &mut c);
    crate::cmd::pubsub::unsubscribe_all(srv, &mut c);
    srv.paused_clients.retain(|&p| p != t);
    srv.client_order.remove(&c.id);
    if srv.clients.contains(t) {
        srv.clients.remove(t);
    }
    drop(c);
}

fn srv_registry(srv: &Server) -> &mio::Registry {
    srv.poll_registry.as_ref().expect("event loop registry")
}
