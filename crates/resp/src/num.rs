//! Numbers as Redis writes and reads them on the wire: `%.17g` doubles, strict integer parsing
//! (string2ll), strict double parsing (string2d / strtod rules), and the human-friendly double
//! format used by INCRBYFLOAT and HINCRBYFLOAT results.
