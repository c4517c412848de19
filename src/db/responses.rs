//! Invitations, responses and their answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{answers, comments, invitations, responses};
use super::Conn;
use crate::domain::{Answer, Side};

/// An invitation without a link, as historic imports make: the person answered outside
/// Tandem, so there is nothing to send and no token to store.
pub fn insert_linkless_invitation(
    conn: &mut Conn,
    wave_id: i64,
    person_id: i64,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::wave_id.eq(wave_id),
            invitations::person_id.eq(person_id),
            invitations::sent_at.eq(None::<NaiveDateTime>),
            invitations::reminders_sent.eq(0_i64),
            invitations::created_at.eq(at),
        ))
        .returning(invitations::id)
        .get_result(conn)
}

/// The segment attributes a response keeps, as they were when it was given.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    pub side: Side,
    pub level: &'a str,
    pub function: &'a str,
    pub region: &'a str,
}

pub fn insert_response(
    conn: &mut Conn,
    invitation_id: i64,
    wave_id: i64,
    snapshot: &Snapshot<'_>,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(responses::table)
        .values((
            responses::invitation_id.eq(invitation_id),
            responses::wave_id.eq(wave_id),
            responses::side.eq(snapshot.side.as_str()),
            responses::level.eq(snapshot.level),
            responses::function.eq(snapshot.function),
            responses::region.eq(snapshot.region),
            responses::submitted_at.eq(at),
            responses::updated_at.eq(at),
        ))
        .returning(responses::id)
        .get_result(conn)
}

/// Inserts the answers of one response in one statement. Multi-row inserts do not compile
/// on the multi-backend connection, so this goes to the inner connection of each backend;
/// callers run it inside their transaction, which keeps it all-or-nothing.
pub fn insert_answers(
    conn: &mut Conn,
    response_id: i64,
    items: &[(&str, Answer)],
) -> QueryResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = items
        .iter()
        .map(|(item, answer)| {
            (
                answers::response_id.eq(response_id),
                answers::item_id.eq(*item),
                answers::value.eq(answer.to_db()),
            )
        })
        .collect();
    match conn {
        Conn::Sqlite(c) => diesel::insert_into(answers::table).values(&rows).execute(c),
        Conn::Postgres(c) => diesel::insert_into(answers::table).values(&rows).execute(c),
    }
    .map(|_| ())
}

pub fn insert_comment(
    conn: &mut Conn,
    response_id: i64,
    question_id: &str,
    body: &str,
) -> QueryResult<()> {
    diesel::insert_into(comments::table)
        .values((
            comments::response_id.eq(response_id),
            comments::question_id.eq(question_id),
            comments::body.eq(body),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Number of stored answers in a partnership's waves (checks and reports).
pub fn count_answers_for_partnership(conn: &mut Conn, partnership_id: i64) -> QueryResult<i64> {
    use super::schema::waves;
    answers::table
        .inner_join(responses::table.inner_join(waves::table))
        .filter(waves::partnership_id.eq(partnership_id))
        .count()
        .get_result(conn)
}
