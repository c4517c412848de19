//! The outbox as an operator sees it: what is waiting, sent and failed, and the latest
//! failures with their reasons (recipients masked by the caller).

use crate::db::Conn;
use crate::error::ServiceError;
use crate::mail::outbox::{self, OutboxRow, OutboxStats};

/// Counts of the outbox by state, and the ten latest failures.
pub fn status(conn: &mut Conn) -> Result<(OutboxStats, Vec<OutboxRow>), ServiceError> {
    Ok((outbox::stats(conn)?, outbox::recent_failures(conn, 10)?))
}
