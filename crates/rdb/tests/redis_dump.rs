//! The string encodings against the reference redis-server 7.0.15, through DUMP and RESTORE:
//! payloads Redis makes (raw, integer encoded, LZF compressed) decode here, and payloads
//! encoded here restore in Redis with the same value.

use vireo_rdb::enc::{check_dump_payload, dump_payload};
use vireo_rdb::{vtype, Decoder, Encoder};
use vireo_testkit::{parse_reply, ServerBuilder};

fn bulk(reply: &[u8]) -> Vec<u8> {
    parse_reply(reply).as_bytes().expect("a bulk string").to_vec()
}

#[test]
fn string_payloads_cross_both_ways() {
    let redis = ServerBuilder::redis().start();
    let mut c = redis.connect();
    let long_text: Vec<u8> = b"replication and scale, ".repeat(40);
    let random: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2654435761) >> 11) as u8).collect();
    let values: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"hello".to_vec(),
        b"12".to_vec(),
        b"-30000".to_vec(),
        b"2147483647".to_vec(),
        b"9223372036854775807".to_vec(),
        b"007".to_vec(),
        long_text,
        random,
    ];
    for (i, v) in values.iter().enumerate() {
        let key = format!("k{i}");
        c.cmd_bytes(&[b"SET", key.as_bytes(), v]);
        // Redis's payload decodes to the same bytes
        let payload = bulk(&c.cmd_bytes(&[b"DUMP", key.as_bytes()]));
        let body = check_dump_payload(&payload).expect("Redis's payload checks");
        let mut d = Decoder::new(body);
        assert_eq!(d.u8().unwrap(), vtype::STRING);
        assert_eq!(&d.string().unwrap(), v, "value {i}");
        assert_eq!(d.offset(), body.len() as u64);

        // ours restores in Redis to the same value
        let mut mine = Vec::new();
        let mut e = Encoder::new(&mut mine);
        e.u8(vtype::STRING).unwrap();
        e.string(v).unwrap();
        let p = dump_payload(&mine);
        let back = format!("back{i}");
        let r = c.cmd_bytes(&[b"RESTORE", back.as_bytes(), b"0", &p]);
        assert_eq!(r, b"+OK\r\n", "RESTORE of value {i}");
        assert_eq!(&bulk(&c.cmd_bytes(&[b"GET", back.as_bytes()])), v);
    }
}
