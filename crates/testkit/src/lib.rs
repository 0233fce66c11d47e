//! Test helpers: start vireo and the reference redis-server on free loopback ports and stop them,
//! a raw RESP connection that returns each reply's exact bytes, and the differential harness that
//! runs one command script against both servers and compares the replies byte for byte.
