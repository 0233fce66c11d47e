//! vireo-check-rdb: checks an RDB file the way redis-check-rdb does, printing the same progress
//! lines (AUX fields, databases, checksum) and summary, or the offset and reason of the first
//! damage; exits non-zero when the file is damaged.

use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;
use vireo_keyspace::types::Limits;
use vireo_rdb::file::{Item, Reader};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("Usage: {} <rdb-file-name>", args[0]);
        return ExitCode::FAILURE;
    };
    println!("[offset 0] Checking RDB file {path}");
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            println!("--- RDB ERROR DETECTED ---");
            println!("[offset 0] Can't open file: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut keys = 0u64;
    let mut expires = 0u64;
    let mut already_expired = 0u64;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    let mut doing = "check-header";
    let result = (|| -> Result<u64, vireo_rdb::Error> {
        let mut r = Reader::open(BufReader::with_capacity(1 << 16, f), Limits::default())?;
        loop {
            let at = r.offset();
            doing = "read-type";
            match r.next_item()? {
                Item::Aux { key, value } => println!(
                    "[offset {at}] AUX FIELD {} = '{}'",
                    String::from_utf8_lossy(&key),
                    String::from_utf8_lossy(&value)
                ),
                Item::SelectDb(n) => println!("[offset {at}] Selecting DB ID {n}"),
                Item::ResizeDb { .. } | Item::Function(_) => {}
                Item::Key { expire_ms, .. } => {
                    keys += 1;
                    if let Some(t) = expire_ms {
                        expires += 1;
                        if t < now {
                            already_expired += 1;
                        }
                    }
                }
                Item::End => return Ok(r.offset()),
            }
        }
    })();
    match result {
        Ok(end) => {
            println!("[offset {end}] Checksum OK");
            println!("[offset {end}] \\o/ RDB looks OK! \\o/");
            println!("[info] {keys} keys read");
            println!("[info] {expires} expires");
            println!("[info] {already_expired} already expired");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("--- RDB ERROR DETECTED ---");
            match &e {
                vireo_rdb::Error::Truncated { offset } => println!("[offset {offset}] Unexpected EOF reading RDB file"),
                vireo_rdb::Error::Corrupt { offset, what } => println!("[offset {offset}] {what}"),
                vireo_rdb::Error::Io(err) => println!("[offset 0] {err}"),
            }
            println!("[additional info] While doing: {doing}");
            println!("[info] {keys} keys read");
            println!("[info] {expires} expires");
            println!("[info] {already_expired} already expired");
            ExitCode::FAILURE
        }
    }
}
