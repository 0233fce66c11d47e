//! Data operations of the geo family (being built).
