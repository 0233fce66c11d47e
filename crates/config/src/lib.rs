//! Configuration as one table: every directive of Redis 7.0 (name, aliases, type, bounds,
//! default, mutability), redis.conf parsing (quoting, include, units), the command-line to config
//! text conversion of redis-server, and the value logic of CONFIG GET/SET/REWRITE. It knows no
//! sockets and no server state: side effects of a change are applied by the server.
