//! The AOF command reader (incr files and command-form bases): it walks any bytes to a clean
//! end or to the offset of the first bad command, always moving forward, never past the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vireo_server::aof::next_command;

fuzz_target!(|data: &[u8]| {
    let mut pos = 0;
    loop {
        let before = pos;
        match next_command(data, &mut pos) {
            Ok(None) => break,
            Ok(Some(argv)) => {
                assert!(pos > before && pos <= data.len());
                assert!(!argv.is_empty());
            }
            Err(valid) => {
                assert!(valid <= data.len());
                break;
            }
        }
    }
});
