//! vireo-check-aof: checks an append-only file the way redis-check-aof does: a manifest (every
//! file it names, the base's RDB preamble included) or a single file; reports where the valid
//! part ends, and with --fix truncates a damaged last file after asking. Exits non-zero when a
//! file is damaged and not fixed.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vireo_keyspace::types::Limits;
use vireo_rdb::file::{Item, Reader};
use vireo_server::aof::{next_command, Manifest};

/// Bytes of whole commands from `start`, and how many lines they span.
fn scan_commands(data: &[u8], start: usize) -> (usize, usize, bool) {
    let mut pos = start;
    loop {
        match next_command(data, &mut pos) {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(valid) => {
                let lines = data[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
                return (valid, lines, false);
            }
        }
    }
    let lines = data[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    (pos, lines, true)
}

/// Checks one file; returns (valid bytes, whole file ok).
fn check_file(path: &Path, fix: bool) -> Result<bool, String> {
    let data = fs::read(path).map_err(|e| format!("Cannot open file {}: {e}", path.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut start = 0;
    if data.starts_with(b"REDIS") {
        println!("Start to check BASE AOF (RDB format).");
        let mut r = Reader::open(&data[..], Limits::default()).map_err(|e| format!("RDB preamble of {name}: {e}"))?;
        loop {
            match r.next_item() {
                Ok(Item::End) => break,
                Ok(_) => {}
                Err(e) => {
                    println!("RDB preamble of AOF file is not sane, aborting: {e}");
                    return Ok(false);
                }
            }
        }
        start = r.offset() as usize;
        println!("RDB preamble is OK, proceeding with AOF tail...");
    }
    let (ok_up_to, line, whole) = scan_commands(&data, start);
    println!(
        "AOF analyzed: filename={name}, size={}, ok_up_to={ok_up_to}, ok_up_to_line={line}, diff={}",
        data.len(),
        data.len() - ok_up_to
    );
    if whole {
        println!("AOF {name} is valid");
        return Ok(true);
    }
    if !fix {
        println!("AOF {name} format error");
        return Ok(false);
    }
    println!(
        "This will shrink the AOF {name} from {} bytes, with {} bytes, to {ok_up_to} bytes",
        data.len(),
        data.len() - ok_up_to
    );
    print!("Continue? [y/N]: ");
    let _ = io::stdout().flush();
    let mut answer = String::new();
    let _ = io::stdin().lock().read_line(&mut answer);
    if !answer.trim().eq_ignore_ascii_case("y") {
        println!("Aborting...");
        return Ok(false);
    }
    let f = fs::OpenOptions::new().write(true).open(path).map_err(|e| e.to_string())?;
    f.set_len(ok_up_to as u64).map_err(|e| format!("Failed to truncate AOF {name}: {e}"))?;
    println!("Successfully truncated AOF {name}");
    Ok(true)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fix = args.iter().any(|a| a == "--fix");
    let Some(target) = args.iter().find(|a| !a.starts_with("--")) else {
        eprintln!("Usage: vireo-check-aof [--fix] <file.manifest|file.aof>");
        return ExitCode::FAILURE;
    };
    let path = PathBuf::from(target);
    let result = if target.ends_with(".manifest") {
        println!("Start checking Multi Part AOF");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                println!("Cannot open file {target}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let m = match Manifest::parse(&text) {
            Ok(m) => m,
            Err(e) => {
                println!("Invalid AOF manifest file format: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut ok = true;
        if let Some(b) = &m.base {
            match check_file(&dir.join(&b.name), false) {
                Ok(v) => ok &= v,
                Err(e) => {
                    println!("{e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        println!("Start to check INCR files.");
        let n = m.incrs.len();
        for (i, inc) in m.incrs.iter().enumerate() {
            // only the last incr file may be fixed (a torn tail)
            match check_file(&dir.join(&inc.name), fix && i + 1 == n) {
                Ok(v) => ok &= v,
                Err(e) => {
                    println!("{e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        if ok {
            println!("All AOF files and manifest are valid");
        }
        Ok(ok)
    } else {
        check_file(&path, fix)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            println!("{e}");
            ExitCode::FAILURE
        }
    }
}
