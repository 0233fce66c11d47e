//! RESTORE's payload path: the DUMP framing check, then the value decoder on what passes (and,
//! so that mutations are not all stopped by the CRC, the decoder on the raw input as well).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vireo_keyspace::types::Limits;
use vireo_rdb::enc::{check_dump_payload, Decoder};

fn decode(body: &[u8]) {
    let mut d = Decoder::new(body);
    d.max_string = 1 << 20;
    if let Ok(t) = d.u8() {
        let _ = vireo_rdb::value::read_value(&mut d, t, &Limits::default());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(body) = check_dump_payload(data) {
        decode(body);
    }
    decode(data);
});
