//! vireo-check-rdb: checks an RDB file as redis-check-rdb does, printing the same progress
//! lines (AUX fields, databases, checksum) and summary, or the offset and reason of the first
//! damage; exits non-zero when the file is damaged. The work is in `vireo_server::check`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("Usage: {} <rdb-file-name>", args[0]);
        return ExitCode::FAILURE;
    };
    match vireo_server::check::check_rdb_file(path) {
        Ok(()) => ExitCode::SUCCESS,
        Err(vireo_server::check::Exit(code)) => ExitCode::from(code),
    }
}
