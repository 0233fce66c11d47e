//! The byte-level encodings of RDB: lengths (6, 14, 32 and 64 bits), strings (raw, integer
//! encoded, LZF compressed), millisecond times, binary and text doubles, the header and the
//! CRC64 trailer. [`Encoder`] writes to any `Write` and [`Decoder`] reads any `Read`, both
//! keeping the running checksum and the byte offset (errors name the offset). Value layouts
//! (which lengths and strings make up a list or a stream) are the callers' business.

use crate::{crc64, lzf, RDB_VERSION};
use std::fmt;
use std::io::{self, Read, Write};

/// Why decoding failed; corruption carries the byte offset where it was found.
#[derive(Debug)]
pub enum Error {
    Io(io::Error),
    /// The input ended before the structure did.
    Truncated {
        offset: u64,
    },
    /// The bytes are not valid RDB.
    Corrupt {
        offset: u64,
        what: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Truncated { offset } => write!(f, "unexpected end of file at offset {offset}"),
            Error::Corrupt { offset, what } => write!(f, "{what} at offset {offset}"),
        }
    }
}

impl std::error::Error for Error {}

/// Special string encodings (the 11xxxxxx length forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrEnc {
    Int8,
    Int16,
    Int32,
    Lzf,
}

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// Writes RDB encodings, keeping the CRC64 of everything written.
pub struct Encoder<W: Write> {
    w: W,
    crc: u64,
    written: u64,
    /// Compress strings longer than 20 bytes with LZF (`rdbcompression`).
    pub compress: bool,
}

impl<W: Write> Encoder<W> {
    pub fn new(w: W) -> Encoder<W> {
        Encoder { w, crc: 0, written: 0, compress: true }
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn crc(&self) -> u64 {
        self.crc
    }

    pub fn into_inner(self) -> W {
        self.w
    }

    pub fn get_mut(&mut self) -> &mut W {
        &mut self.w
    }

    pub fn raw(&mut self, b: &[u8]) -> io::Result<()> {
        self.w.write_all(b)?;
        self.crc = crc64::update(self.crc, b);
        self.written += b.len() as u64;
        Ok(())
    }

    pub fn u8(&mut self, b: u8) -> io::Result<()> {
        self.raw(&[b])
    }

    /// `REDIS0010`.
    pub fn header(&mut self) -> io::Result<()> {
        self.raw(format!("REDIS{:04}", RDB_VERSION).as_bytes())
    }

    pub fn length(&mut self, n: u64) -> io::Result<()> {
        if n < 1 << 6 {
            self.u8(n as u8)
        } else if n < 1 << 14 {
            self.raw(&[0x40 | (n >> 8) as u8, n as u8])
        } else if n <= u32::MAX as u64 {
            let mut b = [0x80u8, 0, 0, 0, 0];
            b[1..].copy_from_slice(&(n as u32).to_be_bytes());
            self.raw(&b)
        } else {
            let mut b = [0x81u8, 0, 0, 0, 0, 0, 0, 0, 0];
            b[1..].copy_from_slice(&n.to_be_bytes());
            self.raw(&b)
        }
    }

    /// An integer in the smallest integer string encoding, or as decimal text when it does not
    /// fit in 32 bits (how RDB stores integer values and integer-looking strings).
    pub fn int_string(&mut self, v: i64) -> io::Result<()> {
        if let Ok(b) = i8::try_from(v) {
            self.raw(&[0xC0 | ENC_INT8, b as u8])
        } else if let Ok(h) = i16::try_from(v) {
            let h = h.to_le_bytes();
            self.raw(&[0xC0 | ENC_INT16, h[0], h[1]])
        } else if let Ok(w) = i32::try_from(v) {
            let w = w.to_le_bytes();
            self.raw(&[0xC0 | ENC_INT32, w[0], w[1], w[2], w[3]])
        } else {
            let s = v.to_string();
            self.length(s.len() as u64)?;
            self.raw(s.as_bytes())
        }
    }

    /// A string: integer encoded when it is the canonical text of an integer that fits in 32
    /// bits, LZF compressed when allowed, longer than 20 bytes and at least 5 bytes smaller,
    /// raw otherwise.
    pub fn string(&mut self, s: &[u8]) -> io::Result<()> {
        if s.len() <= 11 {
            if let Some(v) = canonical_int(s) {
                if i32::try_from(v).is_ok() {
                    return self.int_string(v);
                }
            }
        }
        if self.compress && s.len() > 20 {
            if let Some(c) = lzf::compress(s, s.len() - 5) {
                self.u8(0xC0 | ENC_LZF)?;
                self.length(c.len() as u64)?;
                self.length(s.len() as u64)?;
                return self.raw(&c);
            }
        }
        self.length(s.len() as u64)?;
        self.raw(s)
    }

    /// A string written as it is (no integer or LZF encoding): listpacks and other blobs may
    /// still be compressed, so this is only for callers that must not transform.
    pub fn raw_string(&mut self, s: &[u8]) -> io::Result<()> {
        self.length(s.len() as u64)?;
        self.raw(s)
    }

    pub fn millis(&mut self, ms: i64) -> io::Result<()> {
        self.raw(&ms.to_le_bytes())
    }

    pub fn binary_double(&mut self, d: f64) -> io::Result<()> {
        self.raw(&d.to_le_bytes())
    }

    /// An AUX field (opcode, key, value).
    pub fn aux(&mut self, key: &str, val: &[u8]) -> io::Result<()> {
        self.u8(crate::opcode::AUX)?;
        self.string(key.as_bytes())?;
        self.string(val)
    }

    /// EOF opcode and the checksum (0 when `checksum` is false, which loaders take as "not
    /// checked").
    pub fn finish(&mut self, checksum: bool) -> io::Result<()> {
        self.u8(crate::opcode::EOF)?;
        let crc = if checksum { self.crc } else { 0 };
        self.w.write_all(&crc.to_le_bytes())?;
        self.written += 8;
        self.w.flush()
    }
}

/// `s` as an integer when it is exactly the decimal form Redis would print for it.
fn canonical_int(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    let v: i64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    if v.to_string().as_bytes() == s {
        Some(v)
    } else {
        None
    }
}

/// A length or a special string encoding, as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Len {
    Plain(u64),
    Special(StrEnc),
}

/// Reads RDB encodings, keeping the CRC64 of everything read and the byte offset.
pub struct Decoder<R: Read> {
    r: R,
    crc: u64,
    offset: u64,
    /// Longest string or blob accepted (guards against absurd lengths in corrupt files).
    pub max_string: u64,
}

impl<R: Read> Decoder<R> {
    pub fn new(r: R) -> Decoder<R> {
        Decoder { r, crc: 0, offset: 0, max_string: 1 << 40 }
    }

    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn crc(&self) -> u64 {
        self.crc
    }

    pub fn into_inner(self) -> R {
        self.r
    }

    pub fn corrupt(&self, what: impl Into<String>) -> Error {
        Error::Corrupt { offset: self.offset, what: what.into() }
    }

    pub fn exact(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let mut got = 0;
        while got < buf.len() {
            match self.r.read(&mut buf[got..]) {
                // like Redis, the offset counts whole reads only: the one cut short is not in it
                Ok(0) => return Err(Error::Truncated { offset: self.offset }),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::Io(e)),
            }
        }
        self.crc = crc64::update(self.crc, buf);
        self.offset += buf.len() as u64;
        Ok(())
    }

    /// `n` bytes into a new vector, read in chunks so that a corrupt huge length fails at the
    /// end of the input instead of allocating it up front.
    pub fn bytes(&mut self, n: u64) -> Result<Vec<u8>, Error> {
        if n > self.max_string {
            return Err(self.corrupt(format!("string length {n} too large")));
        }
        // read straight into the vector, growing it at most 1 MiB at a time
        let n = n as usize;
        let mut out = Vec::new();
        while out.len() < n {
            let at = out.len();
            let k = (n - at).min(1 << 20);
            out.resize(at + k, 0);
            self.exact(&mut out[at..])?;
        }
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, Error> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    /// Checks the `REDISxxxx` magic; returns the version.
    pub fn header(&mut self) -> Result<u16, Error> {
        let mut b = [0u8; 9];
        self.exact(&mut b)?;
        if &b[..5] != b"REDIS" {
            return Err(Error::Corrupt { offset: 9, what: "Wrong signature trying to load DB from file".into() });
        }
        // the version the error names is the number the leading digits make (0 without any), as
        // C's atoi reads it; accepted are only four digits (a damaged digit is not version 1)
        let ver = b[5..].iter().take_while(|c| c.is_ascii_digit()).fold(0u32, |n, c| n * 10 + u32::from(c - b'0'));
        let all_digits = b[5..].iter().all(u8::is_ascii_digit);
        match u16::try_from(ver) {
            Ok(v) if all_digits && (1..=RDB_VERSION).contains(&v) => Ok(v),
            _ => Err(Error::Corrupt { offset: 9, what: format!("Can't handle RDB format version {ver}") }),
        }
    }

    pub fn len_or_enc(&mut self) -> Result<Len, Error> {
        let b = self.u8()?;
        match b >> 6 {
            0 => Ok(Len::Plain((b & 0x3f) as u64)),
            1 => Ok(Len::Plain((((b & 0x3f) as u64) << 8) | self.u8()? as u64)),
            2 => match b {
                0x80 => {
                    let mut x = [0u8; 4];
                    self.exact(&mut x)?;
                    Ok(Len::Plain(u32::from_be_bytes(x) as u64))
                }
                0x81 => {
                    let mut x = [0u8; 8];
                    self.exact(&mut x)?;
                    Ok(Len::Plain(u64::from_be_bytes(x)))
                }
                _ => Err(self.corrupt(format!("unknown length encoding {b:#x}"))),
            },
            _ => Ok(Len::Special(match b & 0x3f {
                ENC_INT8 => StrEnc::Int8,
                ENC_INT16 => StrEnc::Int16,
                ENC_INT32 => StrEnc::Int32,
                ENC_LZF => StrEnc::Lzf,
                e => return Err(self.corrupt(format!("unknown string encoding {e}"))),
            })),
        }
    }

    /// A plain length (an encoded string marker here is corruption).
    pub fn length(&mut self) -> Result<u64, Error> {
        match self.len_or_enc()? {
            Len::Plain(n) => Ok(n),
            Len::Special(_) => Err(self.corrupt("unexpected string encoding where a length was expected")),
        }
    }

    /// A string in any encoding, as bytes (integers as their decimal text).
    pub fn string(&mut self) -> Result<Vec<u8>, Error> {
        match self.string_or_int()? {
            Ok(b) => Ok(b),
            Err(v) => Ok(v.to_string().into_bytes()),
        }
    }

    /// A string, or the integer when it was integer encoded (so callers may keep it as one).
    pub fn string_or_int(&mut self) -> Result<Result<Vec<u8>, i64>, Error> {
        match self.len_or_enc()? {
            Len::Plain(n) => Ok(Ok(self.bytes(n)?)),
            Len::Special(StrEnc::Int8) => Ok(Err(self.u8()? as i8 as i64)),
            Len::Special(StrEnc::Int16) => {
                let mut x = [0u8; 2];
                self.exact(&mut x)?;
                Ok(Err(i16::from_le_bytes(x) as i64))
            }
            Len::Special(StrEnc::Int32) => {
                let mut x = [0u8; 4];
                self.exact(&mut x)?;
                Ok(Err(i32::from_le_bytes(x) as i64))
            }
            Len::Special(StrEnc::Lzf) => {
                let clen = self.length()?;
                let len = self.length()?;
                if len > self.max_string {
                    return Err(self.corrupt(format!("string length {len} too large")));
                }
                let at = self.offset;
                let c = self.bytes(clen)?;
                lzf::decompress(&c, len as usize)
                    .map(Ok)
                    .map_err(|e| Error::Corrupt { offset: at, what: format!("invalid LZF compressed string ({e:?})") })
            }
        }
    }

    pub fn millis(&mut self) -> Result<i64, Error> {
        let mut x = [0u8; 8];
        self.exact(&mut x)?;
        Ok(i64::from_le_bytes(x))
    }

    pub fn secs(&mut self) -> Result<i32, Error> {
        let mut x = [0u8; 4];
        self.exact(&mut x)?;
        Ok(i32::from_le_bytes(x))
    }

    pub fn binary_double(&mut self) -> Result<f64, Error> {
        let mut x = [0u8; 8];
        self.exact(&mut x)?;
        Ok(f64::from_le_bytes(x))
    }

    /// The old text double of RDB types before ZSET_2: a length byte (253 NaN, 254 +inf,
    /// 255 -inf) and that many ASCII bytes.
    pub fn text_double(&mut self) -> Result<f64, Error> {
        let n = self.u8()?;
        match n {
            253 => Ok(f64::NAN),
            254 => Ok(f64::INFINITY),
            255 => Ok(f64::NEG_INFINITY),
            _ => {
                let b = self.bytes(n as u64)?;
                std::str::from_utf8(&b)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .ok_or_else(|| self.corrupt("invalid double value"))
            }
        }
    }

    /// Reads the 8-byte trailer after EOF and checks it against the CRC of everything before
    /// (a stored 0 means the writer did not compute one).
    pub fn verify_trailer(&mut self) -> Result<(), Error> {
        let expected = self.crc;
        let at = self.offset;
        let mut x = [0u8; 8];
        self.exact(&mut x)?;
        let stored = u64::from_le_bytes(x);
        if stored != 0 && stored != expected {
            return Err(Error::Corrupt {
                offset: at,
                what: format!("RDB CRC error (wrong RDB checksum expected: ({expected:x}) but got ({stored:x}))"),
            });
        }
        Ok(())
    }
}

/// A DUMP payload of one serialized value: the value bytes, the RDB version (2 bytes LE) and
/// the CRC64 of both (8 bytes LE).
pub fn dump_payload(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 10);
    out.extend_from_slice(value);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Checks a DUMP payload's version and checksum (RESTORE's verifyDumpPayload); returns the
/// value bytes.
pub fn check_dump_payload(p: &[u8]) -> Option<&[u8]> {
    if p.len() < 10 {
        return None;
    }
    let (body, crc) = p.split_at(p.len() - 8);
    let ver = u16::from_le_bytes([body[body.len() - 2], body[body.len() - 1]]);
    if ver > RDB_VERSION {
        return None;
    }
    if crc64::crc64(body) != u64::from_le_bytes(crc.try_into().ok()?) {
        return None;
    }
    Some(&body[..body.len() - 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn enc(f: impl FnOnce(&mut Encoder<&mut Vec<u8>>)) -> Vec<u8> {
        let mut v = Vec::new();
        let mut e = Encoder::new(&mut v);
        f(&mut e);
        v
    }

    #[test]
    fn length_forms() {
        assert_eq!(enc(|e| e.length(10).unwrap()), [10]);
        assert_eq!(enc(|e| e.length(300).unwrap()), [0x41, 0x2c]);
        assert_eq!(enc(|e| e.length(70000).unwrap()), [0x80, 0, 1, 0x11, 0x70]);
        assert_eq!(enc(|e| e.length(1 << 33).unwrap()), [0x81, 0, 0, 0, 2, 0, 0, 0, 0]);
    }

    #[test]
    fn integer_strings() {
        assert_eq!(enc(|e| e.string(b"12").unwrap()), [0xC0, 12]);
        assert_eq!(enc(|e| e.string(b"-300").unwrap()), [0xC1, 0xd4, 0xfe]);
        assert_eq!(enc(|e| e.string(b"100000").unwrap()), [0xC2, 0xa0, 0x86, 1, 0]);
        // not canonical: stays text
        assert_eq!(enc(|e| e.string(b"012").unwrap()), [3, b'0', b'1', b'2']);
        assert_eq!(enc(|e| e.string(b"+1").unwrap()), [2, b'+', b'1']);
        // beyond 32 bits: text
        assert_eq!(enc(|e| e.string(b"4294967296").unwrap())[0], 10);
    }

    #[test]
    fn dump_payload_of_a_redis_string() {
        // DUMP of "hello" from redis-server 7.0.15: type 0, string, version 10, CRC64
        let redis = b"\x00\x05hello\x0a\x00\x63\x72\xdf\x76\x65\x34\x20\x0a";
        let mine = dump_payload(b"\x00\x05hello");
        assert_eq!(check_dump_payload(redis), Some(&b"\x00\x05hello"[..]));
        assert_eq!(check_dump_payload(&mine), Some(&b"\x00\x05hello"[..]));
        let mut bad = mine.clone();
        bad[3] ^= 1;
        assert_eq!(check_dump_payload(&bad), None);
    }

    #[test]
    fn truncation_names_the_offset() {
        let data = enc(|e| e.string(b"hello world").unwrap());
        let mut d = Decoder::new(&data[..5]);
        match d.string() {
            // the length byte was read; the 11 bytes of text could not be
            Err(Error::Truncated { offset }) => assert_eq!(offset, 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn header_and_trailer() {
        let mut v = Vec::new();
        let mut e = Encoder::new(&mut v);
        e.header().unwrap();
        e.aux("redis-ver", b"7.0.15").unwrap();
        e.finish(true).unwrap();
        let mut d = Decoder::new(&v[..]);
        assert_eq!(d.header().unwrap(), 10);
        assert_eq!(d.u8().unwrap(), crate::opcode::AUX);
        assert_eq!(d.string().unwrap(), b"redis-ver");
        assert_eq!(d.string().unwrap(), b"7.0.15");
        assert_eq!(d.u8().unwrap(), crate::opcode::EOF);
        d.verify_trailer().unwrap();
        let n = v.len();
        v[n - 9 - 2] ^= 0x40;
        let mut d = Decoder::new(&v[..]);
        d.header().unwrap();
        d.u8().unwrap();
        d.string().unwrap();
        let _ = d.string().unwrap();
        d.u8().unwrap();
        assert!(matches!(d.verify_trailer(), Err(Error::Corrupt { .. })));
    }

    proptest! {
        #[test]
        fn strings_round_trip(s in proptest::collection::vec(prop_oneof![Just(b'1'), Just(b'a'), any::<u8>()], 0..400), compress in any::<bool>()) {
            let mut v = Vec::new();
            let mut e = Encoder::new(&mut v);
            e.compress = compress;
            e.string(&s).unwrap();
            let mut d = Decoder::new(&v[..]);
            prop_assert_eq!(d.string().unwrap(), s);
            prop_assert_eq!(d.offset(), v.len() as u64);
        }

        #[test]
        fn lengths_round_trip(n in any::<u64>()) {
            let v = enc(|e| e.length(n).unwrap());
            prop_assert_eq!(Decoder::new(&v[..]).length().unwrap(), n);
        }

        #[test]
        fn ints_round_trip(n in any::<i64>()) {
            let v = enc(|e| e.int_string(n).unwrap());
            prop_assert_eq!(Decoder::new(&v[..]).string().unwrap(), n.to_string().into_bytes());
        }

        #[test]
        fn garbage_never_panics(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            let mut d = Decoder::new(&data[..]);
            d.max_string = 1 << 16;
            let _ = d.string();
            let _ = d.length();
            let _ = d.text_double();
        }
    }
}
