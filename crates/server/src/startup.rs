//! Process start: the command line and config file (through vireo-config), daemonizing, the
//! pidfile, logging setup, the startup log lines and banner in Redis's wording, listeners,
//! signal handlers, and handing control to the event loop. Returns the process exit code.

use crate::net::EventLoop;
use crate::registry::Registry;
use crate::server::Server;
use crate::{log, log_notice, log_warning, REDIS_VERSION, VIREO_VERSION};
use std::sync::atomic::Ordering;

/// `redis-server -v`-style version line.
pub fn version_line() -> String {
    format!(
        "Redis server v={} sha=00000000:0 malloc=jemalloc-5.3.1 bits=64 build=vireo-{}",
        REDIS_VERSION, VIREO_VERSION
    )
}

fn usage() {
    eprint!("{}", vireo_config::USAGE.replace("redis-server", "vireo-server"));
}

/// The whole life of the server process.
pub fn main_entry(args: Vec<String>) -> i32 {
    let exe = args.first().cloned().unwrap_or_else(|| "vireo-server".into());
    let parsed = match vireo_config::parse_args(&args[1..]) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{}", e);
            return 1;
        }
    };
    match parsed.action {
        vireo_config::ArgAction::Version => {
            println!("{}", version_line());
            return 0;
        }
        vireo_config::ArgAction::Help => {
            usage();
            return 1;
        }
        vireo_config::ArgAction::TestMemory { .. } | vireo_config::ArgAction::CheckSystem => {
            eprintln!("vireo-server: --test-memory and --check-system are not supported by vireo");
            return 1;
        }
        vireo_config::ArgAction::Run => {}
    }
    let stdin_text = if parsed.config_from_stdin {
        // logged before the server exists, so with Redis's "not the server process" role mark
        log::set_role(b'C');
        crate::log_warning!("Reading config from stdin");
        log::set_role(b'M');
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s);
        Some(s)
    } else {
        None
    };
    let config = match vireo_config::load(parsed.config_file.as_deref(), stdin_text.as_deref(), &parsed.options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}", e);
            return 1;
        }
    };
    let config_file = parsed.config_file.as_ref().map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.into()));

    if config.daemonize {
        daemonize();
        log::set_daemonized(true);
    }
    log::set_file(&config.logfile);
    log::set_level(log_level(config.loglevel));

    // Redis logs its first lines before the server records its own pid, so they carry the
    // "child" role mark
    log::set_role(b'C');
    log_warning!("oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo");
    log_warning!(
        "Redis version={}, bits=64, commit=00000000, modified=0, pid={}, just started (vireo {})",
        REDIS_VERSION,
        std::process::id(),
        VIREO_VERSION
    );
    if args.len() == 1 {
        log_warning!("Warning: no config file specified, using the default config. In order to specify a config file use {} /path/to/redis.conf", exe);
    } else {
        log_warning!("Configuration loaded");
    }
    log::set_role(b'M');
    for d in config.unimplemented_directives() {
        log_warning!(
            "Config directive '{}' is accepted and stored but not implemented yet in vireo {}: it has no effect",
            d,
            VIREO_VERSION
        );
    }

    let pages = crate::alloc::apply_huge_page_policy(config.heap_huge_pages, config.disable_thp);
    log_notice!("{}", pages.why);

    let maxclients = config.maxclients as u64;
    let fit = adjust_open_files_limit(maxclients);
    if fit < maxclients {
        log_warning!(
            "You requested maxclients of {} requiring at least {} max file descriptors.",
            maxclients,
            maxclients + 32
        );
        log_warning!(
            "Server can't set maximum open files to {} because of OS error: {}.",
            maxclients + 32,
            crate::util::strerror(libc::EPERM)
        );
        log_warning!("Current maximum open files is {}. maxclients has been reduced to {} to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.", fit + 32, fit);
    }
    let mut config = config;
    config.maxclients = fit.max(1) as _;
    if !config.dir.is_empty() {
        if let Err(e) = std::env::set_current_dir(&config.dir) {
            log_warning!("Can't chdir to '{}': {}", config.dir, e);
            return 1;
        }
    }

    let registry = Registry::new(&crate::cmd::table());
    let mut srv = Server::new(config, registry);
    srv.config_file = config_file;
    srv.executable = std::env::current_exe().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| exe.clone());

    let mut el = match EventLoop::new() {
        Ok(el) => el,
        Err(e) => {
            log_warning!("Failed creating the event loop. Error message: '{}'", e);
            return 1;
        }
    };
    srv.poll_registry = el.poll.registry().try_clone().ok();
    if let Err(e) = crate::net::listen_tcp(&mut srv) {
        log_warning!("{}", e);
        return 1;
    }
    if let Err(e) = crate::net::listen_unix(&mut srv) {
        log_warning!("{}", e);
        return 1;
    }
    if srv.listeners.iter().all(|l| l.is_none()) {
        log_warning!("Configured to not listen anywhere, exiting.");
        return 1;
    }
    if srv.config.daemonize || !srv.config.pidfile.is_empty() {
        create_pidfile(&mut srv);
    }
    banner(&srv);

    setup_signal_handlers(&srv);

    crate::info::record_startup_memory();
    log_warning!("Server initialized");
    crate::repl::replica::init_from_config(&mut srv);
    // clients connecting while the dataset loads are served between chunks (-LOADING)
    let mut events = |s: &mut Server| el.process_events_while_blocked(s);
    if srv.config.appendonly {
        if crate::aof::load_and_open_at_startup(&mut srv, &mut events).is_err() {
            return 1;
        }
    } else if crate::persist::load_at_startup(&mut srv, &mut events).is_err() {
        return 1;
    }
    log_notice!("Ready to accept connections");
    el.run(&mut srv)
}

/// SIGTERM and SIGINT schedule a shutdown, as Redis's handler does: the handler logs (signal
/// safely), records which signal came last and sets `shutdown_asap`; the event loop then shuts
/// down with the flags of `shutdown-on-sigterm` / `shutdown-on-sigint`. A second SIGINT while
/// a shutdown is pending exits at once with status 1.
fn setup_signal_handlers(srv: &Server) {
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let asap = srv.shutdown_asap.clone();
        let term = srv.signal_term.clone();
        let int = srv.signal_int.clone();
        let action = move || {
            let is_int = sig == signal_hook::consts::SIGINT;
            if is_int && asap.load(Ordering::SeqCst) {
                log::log_from_handler(log::Level::Warning, "You insist... exiting now.");
                signal_hook::low_level::exit(1);
            }
            let msg = if is_int {
                "Received SIGINT scheduling shutdown..."
            } else {
                "Received SIGTERM scheduling shutdown..."
            };
            log::log_from_handler(log::Level::Warning, msg);
            term.store(!is_int, Ordering::SeqCst);
            int.store(is_int, Ordering::SeqCst);
            asap.store(true, Ordering::SeqCst);
        };
        // SAFETY: the action only touches atomics and makes async-signal-safe calls
        // (getpid, time, open, write, close, _exit).
        if let Err(e) = unsafe { signal_hook::low_level::register(sig, action) } {
            log_warning!("Failed installing the handler of signal {}: {}", sig, e);
        }
    }
}

/// The log threshold for a loglevel setting.
pub fn log_level(l: vireo_config::LogLevel) -> log::Level {
    match l {
        vireo_config::LogLevel::Debug => log::Level::Debug,
        vireo_config::LogLevel::Verbose => log::Level::Verbose,
        vireo_config::LogLevel::Notice => log::Level::Notice,
        vireo_config::LogLevel::Warning => log::Level::Warning,
    }
}

/// Raises the open files limit for `maxclients` plus Redis's 32 reserved descriptors, as far as
/// the system allows; returns the number of clients that fit (Redis's adjustOpenFilesLimit).
pub fn adjust_open_files_limit(maxclients: u64) -> u64 {
    const RESERVED: u64 = 32;
    let wanted = maxclients + RESERVED;
    let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit with a valid pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return maxclients;
    }
    if lim.rlim_cur >= wanted {
        return maxclients;
    }
    let mut best = lim.rlim_cur;
    let mut try_limit = wanted;
    while try_limit > lim.rlim_cur {
        let l = libc::rlimit { rlim_cur: try_limit, rlim_max: try_limit.max(lim.rlim_max) };
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &l) } == 0 {
            best = try_limit;
            break;
        }
        try_limit = try_limit.saturating_sub(16);
    }
    best.saturating_sub(RESERVED).min(maxclients)
}

/// Writes the pid file, best effort and silently as Redis 7.0 does. A daemon without a
/// `pidfile` uses Redis's default path, which then becomes the setting (and is removed at
/// shutdown).
fn create_pidfile(srv: &mut Server) {
    if srv.config.pidfile.is_empty() {
        srv.config.pidfile = DEFAULT_PID_FILE.to_string();
    }
    let _ = std::fs::write(&srv.config.pidfile, format!("{}\n", std::process::id()));
}

/// Redis's CONFIG_DEFAULT_PID_FILE.
const DEFAULT_PID_FILE: &str = "/var/run/redis.pid";

fn banner(srv: &Server) {
    let port = srv.config.port;
    let tty = unsafe { libc::isatty(1) } == 1;
    let show_logo = (srv.config.logfile.is_empty() && tty) || srv.config.always_show_logo;
    if !show_logo {
        log_notice!("Running mode=standalone, port={}.", port);
        return;
    }
    let logo = format!(
        r#"
              _                  vireo {vireo} (Redis {redis} compatible) 64 bit
       __   _(_)_ __ ___  ___
       \ \ / / | '__/ _ \/ _ \   Running in standalone mode
        \ V /| | | |  __/ (_) |  Port: {port}
         \_/ |_|_|  \___|\___/   PID: {pid}

                                 replication and scale, Redis-compatible

"#,
        vireo = VIREO_VERSION,
        redis = REDIS_VERSION,
        port = port,
        pid = std::process::id()
    );
    log::write_raw(logo.as_bytes());
}

/// Detaches from the terminal like Redis's daemonize(): fork, setsid, stdio to /dev/null.
fn daemonize() {
    // SAFETY: called before any thread is started; the child continues single-threaded.
    unsafe {
        match libc::fork() {
            -1 => return,
            0 => {}
            _ => libc::_exit(0),
        }
        libc::setsid();
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR, 0);
        if fd != -1 {
            libc::dup2(fd, 0);
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
            if fd > 2 {
                libc::close(fd);
            }
        }
    }
}
