//! The AOF manifest parser: any text parses or is refused; what parses renders to text that
//! parses to the same manifest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vireo_server::aof::Manifest;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(m) = Manifest::parse(text) {
        let again = Manifest::parse(&m.render()).expect("a rendered manifest parses");
        assert_eq!(again, m);
    }
});
