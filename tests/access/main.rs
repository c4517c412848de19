//! Access: users made with the real CLI, set-password links, sign-in and sign-out, sessions,
//! CSRF, the sign-in rate limit, the audit log, and scope refusals that do not leak
//! existence — through real HTTP on both backends.

#[path = "../common/mod.rs"]
mod common;
mod helpers;
#[allow(dead_code)]
#[path = "../mail/sink.rs"]
mod sink;

mod accounts;
mod crawl;
mod lifecycle;
mod matrix;
mod refusals;
mod site;
mod tokens;
