//! The RDB file loader: any bytes either load or give an error, never a panic, a hang or an
//! unbounded allocation. The checksum is not required, so mutations reach the value decoders.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vireo_keyspace::db::Db;
use vireo_keyspace::types::Limits;

fuzz_target!(|data: &[u8]| {
    let mut dbs: Vec<Db> = (0..16).map(Db::new).collect();
    let _ = vireo_server::persist::load_into(&mut dbs, data, Limits::default(), 0, false, false);
});
