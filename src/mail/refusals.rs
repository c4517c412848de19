//! Mail to an address that bounced hard is refused, on record: queueing writes it as
//! `undeliverable` with the reason, and the worker does the same to a row queued before the
//! bounce arrived. Never dropped, never sent. (Below `outbox`: it knows rows only by id and
//! recipient.)

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::bounces::OUTBOX_UNDELIVERABLE;
use crate::db::schema::outbox;
use crate::db::{self, Conn};

/// Longest reason kept (as the outbox keeps its errors).
const MAX_REASON_CHARS: usize = 1000;

/// Why each mail to these recipients would not be sent (the address is undeliverable), in
/// the order given.
pub(super) fn refusals<'a>(
    conn: &mut Conn,
    recipients: impl Iterator<Item = &'a str>,
) -> QueryResult<Vec<Option<String>>> {
    let emails: Vec<String> = recipients.map(db::bounces::normalize).collect();
    let bad = db::bounces::undeliverable_among(conn, &emails)?;
    Ok(emails
        .iter()
        .map(|e| bad.get(e).map(refusal_reason))
        .collect())
}

/// The `last_error` of a mail refused because its address is undeliverable.
pub fn refusal_reason(u: &db::bounces::Undeliverable) -> String {
    format!(
        "undeliverable: the address bounced hard on {} UTC ({})",
        u.since.format("%Y-%m-%d %H:%M"),
        u.reason
    )
    .chars()
    .take(MAX_REASON_CHARS)
    .collect()
}

/// Of claimed rows (`id` and `recipient` read each), records those whose address became
/// undeliverable after they were queued as undeliverable with the reason (bodies blanked,
/// lease freed), and returns the others, to send.
pub(super) fn refuse_undeliverable<T>(
    conn: &mut Conn,
    rows: Vec<T>,
    id: impl Fn(&T) -> i64,
    recipient: impl Fn(&T) -> &str,
) -> QueryResult<Vec<T>> {
    if rows.is_empty() {
        return Ok(rows);
    }
    let refused = refusals(conn, rows.iter().map(&recipient))?;
    if refused.iter().all(Option::is_none) {
        return Ok(rows);
    }
    let mut keep = Vec::with_capacity(rows.len());
    for (row, refused) in rows.into_iter().zip(refused) {
        match refused {
            Some(reason) => {
                diesel::update(outbox::table.find(id(&row)))
                    .set((
                        outbox::status.eq(OUTBOX_UNDELIVERABLE),
                        outbox::locked_until.eq(None::<NaiveDateTime>),
                        outbox::last_error.eq(reason),
                        outbox::body_text.eq(""),
                        outbox::body_html.eq(""),
                        outbox::headers.eq("[]"),
                    ))
                    .execute(conn)?;
            }
            None => keep.push(row),
        }
    }
    Ok(keep)
}
