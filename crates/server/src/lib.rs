//! The vireo server: the event loop that owns the keyspace, clients, the command table, the gate
//! and `call()`, command handlers, INFO, logging and the cron.
