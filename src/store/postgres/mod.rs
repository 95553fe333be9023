//! The PostgreSQL backend: a team on several hosts shares one server, and each person connects
//! as their own PostgreSQL role.

pub mod connect;
mod pgpass;
mod tls;
mod url;
