//! Property tests of the request decoder: random argument lists encoded as multibulk and as
//! inline requests, fed in random-sized chunks, decode to the same arguments; arbitrary bytes
//! never panic and decode the same whatever the chunking.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use vireo_resp::{Limits, Parsed, RequestParser};

type Outcome = (Vec<Vec<Vec<u8>>>, Option<String>);

fn encode_multibulk(argv: &[Vec<u8>], out: &mut Vec<u8>) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for a in argv {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// True when `a` can be written unquoted in an inline request.
fn plain(a: &[u8], first: bool) -> bool {
    !a.is_empty()
        && a.iter().all(|&c| (0x21..=0x7e).contains(&c) && c != b'"' && c != b'\'')
        && !(first && a[0] == b'*')
}

/// Inline form: plain arguments as they are (when `quote_plain` is false), the others in
/// double quotes with escapes; separators and line ends vary with `style`.
fn encode_inline(argv: &[Vec<u8>], style: u8, out: &mut Vec<u8>) {
    for (i, a) in argv.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(match style.wrapping_add(i as u8) % 3 {
                0 => &b" "[..],
                1 => b"\t ",
                _ => b"  ",
            });
        }
        if plain(a, i == 0) && style & 1 == 0 {
            out.extend_from_slice(a);
            continue;
        }
        out.push(b'"');
        for &c in a {
            match c {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' if style & 2 == 0 => out.extend_from_slice(b"\\n"),
                0x20..=0x7e => out.push(c),
                _ => out.extend_from_slice(format!("\\x{:02x}", c).as_bytes()),
            }
        }
        out.push(b'"');
    }
    out.extend_from_slice(if style & 4 == 0 { b"\r\n" } else { b"\n" });
}

/// Feeds `input` in chunks of the given sizes (cycled), parsing after each chunk.
fn feed(input: &[u8], chunks: &[usize], limits: &Limits) -> (Outcome, BytesMut, RequestParser) {
    let mut p = RequestParser::new();
    let mut buf = BytesMut::new();
    let mut argv: Vec<Bytes> = Vec::new();
    let mut out = Vec::new();
    let mut at = 0;
    let mut k = 0;
    while at < input.len() {
        let n = chunks[k % chunks.len()].max(1).min(input.len() - at);
        k += 1;
        // Reserve as the server would, when the parser announces a big argument.
        if let Some(need) = p.pending_bulk_for(buf.len()) {
            buf.reserve(need);
        }
        buf.extend_from_slice(&input[at..at + n]);
        at += n;
        loop {
            match p.parse(&mut buf, &mut argv, limits) {
                Ok(Parsed::Command) => {
                    assert!(!argv.is_empty());
                    out.push(argv.iter().map(|a| a.to_vec()).collect());
                }
                Ok(Parsed::Nothing) => assert!(argv.is_empty()),
                Ok(Parsed::NeedMore) => break,
                Err(e) => return ((out, Some(e.0)), buf, p),
            }
        }
    }
    ((out, None), buf, p)
}

fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec(any::<u8>(), 0..24),
        3 => "[a-zA-Z0-9_:*$-]{1,12}".prop_map(|s| s.into_bytes()),
        1 => proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'"'), Just(b'\\'), Just(0u8)], 0..6),
        1 => proptest::collection::vec(any::<u8>(), 0..3000),
    ]
}

fn argvs() -> impl Strategy<Value = Vec<Vec<Vec<u8>>>> {
    proptest::collection::vec(proptest::collection::vec(arg(), 1..8), 1..6)
}

fn chunks() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(prop_oneof![1..4usize, 1..40usize, 1..5000usize], 1..10)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn multibulk_roundtrip(reqs in argvs(), chunks in chunks()) {
        let mut input = Vec::new();
        for r in &reqs {
            encode_multibulk(r, &mut input);
        }
        let ((got, err), buf, p) = feed(&input, &chunks, &Limits::default());
        prop_assert_eq!(err, None);
        prop_assert_eq!(got, reqs);
        prop_assert!(buf.is_empty());
        prop_assert!(!p.in_request());
    }

    #[test]
    fn inline_roundtrip(reqs in argvs(), styles in proptest::collection::vec(any::<u8>(), 6), chunks in chunks()) {
        let mut input = Vec::new();
        for (i, r) in reqs.iter().enumerate() {
            encode_inline(r, styles[i % styles.len()], &mut input);
        }
        prop_assume!(input.len() < 60 * 1024);
        let ((got, err), buf, _) = feed(&input, &chunks, &Limits::default());
        prop_assert_eq!(err, None);
        prop_assert_eq!(got, reqs);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn mixed_pipeline(reqs in argvs(), kinds in proptest::collection::vec(0u8..8, 6), chunks in chunks()) {
        let mut input = Vec::new();
        for (i, r) in reqs.iter().enumerate() {
            match kinds[i % kinds.len()] {
                0 => input.extend_from_slice(b"*0\r\n"),
                1 => input.extend_from_slice(b"\r\n"),
                2 => input.extend_from_slice(b"*-1\r\n"),
                _ => {}
            }
            if kinds[i % kinds.len()] & 1 == 0 {
                encode_multibulk(r, &mut input);
            } else {
                encode_inline(r, kinds[i % kinds.len()], &mut input);
            }
        }
        prop_assume!(input.len() < 60 * 1024);
        let ((got, err), buf, _) = feed(&input, &chunks, &Limits::default());
        prop_assert_eq!(err, None);
        prop_assert_eq!(got, reqs);
        prop_assert!(buf.is_empty());
    }

    /// Arbitrary bytes (biased towards protocol characters) never panic, and the outcome does
    /// not depend on how the bytes are split into reads.
    #[test]
    fn garbage_is_chunking_independent(
        input in proptest::collection::vec(prop_oneof![
            3 => proptest::sample::select(b"*$\r\n0123456789-+ \"'\\x\t\0aZ".to_vec()),
            1 => any::<u8>(),
        ], 0..400),
        chunks in chunks(),
        authenticated in any::<bool>(),
        max_bulk in prop_oneof![Just(512u64 * 1024 * 1024), 0u64..20],
    ) {
        let limits = Limits { proto_max_bulk_len: max_bulk, authenticated };
        let (whole, _, _) = feed(&input, &[input.len().max(1)], &limits);
        let (split, _, _) = feed(&input, &chunks, &limits);
        let (bytewise, _, _) = feed(&input, &[1], &limits);
        prop_assert_eq!(&whole, &split);
        prop_assert_eq!(&whole, &bytewise);
    }
}

/// Big arguments (over the 32 KiB threshold) in many reads.
#[test]
fn big_arguments_in_pieces() {
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let reqs = vec![
        vec![b"SET".to_vec(), b"k".to_vec(), big.clone()],
        vec![big[..40_000].to_vec(), big[..32_768].to_vec()],
        vec![b"GET".to_vec(), b"k".to_vec()],
    ];
    let mut input = Vec::new();
    for r in &reqs {
        encode_multibulk(r, &mut input);
    }
    for chunks in [&[1usize << 20][..], &[7, 4096, 65536], &[16 * 1024], &[1, 2, 3, 5000]] {
        let ((got, err), buf, _) = feed(&input, chunks, &Limits::default());
        assert_eq!(err, None);
        assert!(got == reqs, "chunks {chunks:?}");
        assert!(buf.is_empty());
    }
}
