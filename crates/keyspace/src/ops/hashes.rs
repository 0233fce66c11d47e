//! Data operations of the hashes family (being built).
