//! Data operations of the zsets family (being built).
