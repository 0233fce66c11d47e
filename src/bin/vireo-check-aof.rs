//! vireo-check-aof: checks an append-only file as redis-check-aof does — a manifest (the base,
//! its RDB preamble included, then every incr file) or a single old-style file — printing the
//! same report; `--fix` cuts a torn tail of the last file after asking, and
//! `--truncate-to-timestamp <unix time>` cuts the last file at the first newer `#TS:`
//! annotation. Exits non-zero when a file is damaged and not fixed. The work is in
//! `vireo_server::check`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args();
    let prog = args.next().unwrap_or_else(|| "vireo-check-aof".into());
    let rest: Vec<String> = args.collect();
    match vireo_server::check::check_aof_main(&prog, &rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(vireo_server::check::Exit(code)) => ExitCode::from(code),
    }
}
