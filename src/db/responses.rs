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

/// Cuts the link between a closed wave's responses and the people who gave them: each
/// invitation that has a response is marked `responded`, then every response of the wave
/// loses its `invitation_id`. The response keeps its segment snapshot (side, level,
/// function, region, business unit, language), its answers and comments; nothing in the database then says whose
/// they are. Run it in the closing transaction, after the aggregates are built; a closed
/// wave never reopens, so nothing needs the link again.
pub fn unlink_wave(conn: &mut Conn, wave_id: i64) -> QueryResult<usize> {
    let linked = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .filter(responses::invitation_id.is_not_null())
        .select(responses::invitation_id.assume_not_null());
    diesel::update(invitations::table.filter(invitations::id.eq_any(linked)))
        .set(invitations::responded.eq(true))
        .execute(conn)?;
    diesel::update(
        responses::table
            .filter(responses::wave_id.eq(wave_id))
            .filter(responses::invitation_id.is_not_null()),
    )
    .set(responses::invitation_id.eq(None::<i64>))
    .execute(conn)
}

/// The segment attributes a response keeps, as they were when it was given.
#[derive(Debug, Clone)]
pub struct Snapshot<'a> {
    pub side: Side,
    pub level: &'a str,
    pub function: &'a str,
    pub region: &'a str,
    /// Empty when the roster gives none.
    pub business_unit: &'a str,
    /// The language the person answered in (their own, else the partnership's default);
    /// empty when unknown (historic imports).
    pub language: &'a str,
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
            responses::business_unit.eq(snapshot.business_unit),
            responses::language.eq(snapshot.language),
            responses::submitted_at.eq(at),
            responses::updated_at.eq(at),
        ))
        .returning(responses::id)
        .get_result(conn)
}

/// Stores the response row of an invitation, or touches `updated_at` of the one already
/// there, in one statement (`INSERT … ON CONFLICT (invitation_id) DO UPDATE … RETURNING`).
/// Returns the response id and whether a response was already there. The snapshot of a
/// response already there is kept: it records the person as they were when first answering.
///
/// Being a write, it takes SQLite's write lock as the first statement of a transaction (no
/// failed lock upgrade), and on PostgreSQL it locks the response row, so two submissions of
/// one link queue behind each other instead of racing; two first submissions cannot both
/// insert (the loser's ON CONFLICT turns it into an update of the winner's row).
///
/// "Already there" is read from `submitted_at`: an earlier response carries an earlier
/// submission time than `at` (times are microseconds, taken before this transaction).
pub fn upsert_response(
    conn: &mut Conn,
    invitation_id: i64,
    wave_id: i64,
    snapshot: &Snapshot<'_>,
    at: NaiveDateTime,
) -> QueryResult<(i64, bool)> {
    use diesel::upsert::excluded;
    // ON CONFLICT does not compile on the multi-backend connection: run it on the inner
    // connection. On SQLite, a constant statement diesel keeps prepared (see
    // `SqliteUpsertResponse`).
    let (id, submitted_at): (i64, NaiveDateTime) = match conn {
        Conn::Sqlite(c) => SqliteUpsertResponse {
            invitation_id,
            wave_id,
            snapshot,
            at,
        }
        .get_result(c),
        Conn::Postgres(c) => diesel::insert_into(responses::table)
            .values((
                responses::invitation_id.eq(invitation_id),
                responses::wave_id.eq(wave_id),
                responses::side.eq(snapshot.side.as_str()),
                responses::level.eq(snapshot.level),
                responses::function.eq(snapshot.function),
                responses::region.eq(snapshot.region),
                responses::business_unit.eq(snapshot.business_unit),
                responses::language.eq(snapshot.language),
                responses::submitted_at.eq(at),
                responses::updated_at.eq(at),
            ))
            .on_conflict(responses::invitation_id)
            .do_update()
            .set(responses::updated_at.eq(excluded(responses::updated_at)))
            .returning((responses::id, responses::submitted_at))
            .get_result(c),
    }?;
    Ok((id, submitted_at != at))
}

/// Writes the answers of one response in one statement, replacing the values of items
/// already answered (`ON CONFLICT (response_id, item_id) DO UPDATE`). A valid submission
/// answers every item of the wave's template, and a wave's template never changes, so on a
/// re-submission every stored answer is overwritten and none is left over: this replaces
/// the earlier answers without a DELETE (a round trip fewer on PostgreSQL).
pub fn upsert_answers(
    conn: &mut Conn,
    response_id: i64,
    items: &[(&str, Answer)],
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    if items.is_empty() {
        return Ok(());
    }
    match conn {
        Conn::Sqlite(c) => SqliteUpsertAnswers {
            response_id,
            answers: serde_json::to_string(
                &items
                    .iter()
                    .map(|(item, answer)| (*item, answer.to_db()))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?,
        }
        .execute(c),
        Conn::Postgres(c) => {
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
            diesel::insert_into(answers::table)
                .values(&rows)
                .on_conflict((answers::response_id, answers::item_id))
                .do_update()
                .set(answers::value.eq(excluded(answers::value)))
                .execute(c)
        }
    }
    .map(|_| ())
}

/// The response upsert of [`upsert_response`] as one constant SQLite statement.
///
/// Hand-built because diesel does not keep its own upsert prepared on SQLite: in a profile
/// of the group writer, SQLite parsed and planned it (and the answers' multi-row upsert)
/// on every submission, a fifth of the writer's time. A static `QueryId` and constant SQL
/// let diesel prepare it once per connection; every value is a bind parameter.
struct SqliteUpsertResponse<'a> {
    invitation_id: i64,
    wave_id: i64,
    snapshot: &'a Snapshot<'a>,
    at: NaiveDateTime,
}

impl diesel::query_builder::QueryId for SqliteUpsertResponse<'_> {
    type QueryId = SqliteUpsertResponse<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for SqliteUpsertResponse<'_> {
    type SqlType = (diesel::sql_types::BigInt, diesel::sql_types::Timestamp);
}

impl<'a> diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for SqliteUpsertResponse<'a> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text, Timestamp};
        out.push_sql(
            "INSERT INTO responses (invitation_id, wave_id, side, level, function, region, \
             business_unit, language, submitted_at, updated_at) VALUES (",
        );
        out.push_bind_param::<BigInt, _>(&self.invitation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, _>(&self.wave_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.snapshot.side.as_str())?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.snapshot.level)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.snapshot.function)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.snapshot.region)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.snapshot.business_unit)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(self.snapshot.language)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(
            ") ON CONFLICT (invitation_id) DO UPDATE SET updated_at = excluded.updated_at \
             RETURNING id, submitted_at",
        );
        Ok(())
    }
}

impl diesel::query_dsl::RunQueryDsl<diesel::SqliteConnection> for SqliteUpsertResponse<'_> {}

/// The answers' upsert of [`upsert_answers`] as one constant SQLite statement: the answers
/// travel as one JSON array of `[item, value]` pairs read with `json_each`, so the SQL does
/// not depend on how many there are and stays prepared (see [`SqliteUpsertResponse`]).
struct SqliteUpsertAnswers {
    response_id: i64,
    /// `[["win_win", 4], ["trust", null], …]`; null is "don't know".
    answers: String,
}

impl diesel::query_builder::QueryId for SqliteUpsertAnswers {
    type QueryId = SqliteUpsertAnswers;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for SqliteUpsertAnswers {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text};
        out.push_sql("INSERT INTO answers (response_id, item_id, value) SELECT ");
        out.push_bind_param::<BigInt, _>(&self.response_id)?;
        // `WHERE true`: SQLite's grammar needs it between INSERT … SELECT and ON CONFLICT.
        out.push_sql(", j.value ->> 0, j.value ->> 1 FROM json_each(");
        out.push_bind_param::<Text, _>(&self.answers)?;
        out.push_sql(
            ") AS j WHERE true ON CONFLICT (response_id, item_id) DO UPDATE SET value = \
             excluded.value",
        );
        Ok(())
    }
}

impl diesel::query_dsl::RunQueryDsl<diesel::SqliteConnection> for SqliteUpsertAnswers {}

/// Removes the comments of a response (before writing a re-submission's).
pub fn delete_comments(conn: &mut Conn, response_id: i64) -> QueryResult<usize> {
    diesel::delete(comments::table.filter(comments::response_id.eq(response_id))).execute(conn)
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

/// What [`store_many_on_postgres`] did with one submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// Stored; `replaced` when an earlier response of the link was there.
    Done { replaced: bool },
    /// Nothing written: the wave is no longer open, or another submission of the same
    /// link committed while this one waited for it (run it again).
    NotWritten,
}

/// One submission of a batch for [`store_many_on_postgres`]: validated, its link looked up.
#[derive(Debug, Clone)]
pub struct BatchRow<'a> {
    pub invitation_id: i64,
    pub wave_id: i64,
    pub snapshot: Snapshot<'a>,
    pub at: NaiveDateTime,
    pub answers: Vec<(&'a str, Answer)>,
    /// The non-empty comments; an open question left out loses its earlier comment.
    pub comments: Vec<(&'a str, &'a str)>,
}

/// Submissions stored in ONE PostgreSQL statement, every column passed as an array and the
/// rows of answers and comments keyed by their invitation.
///
/// Hand-built because diesel's query builder cannot express a data-modifying `WITH`, and a
/// `sql_query` string is never cached as a prepared statement (PostgreSQL would parse and
/// plan this on every call). Implementing `QueryFragment` with a static `QueryId` lets
/// diesel prepare it once per connection. The SQL is constant; every value is a bind
/// parameter, so one submission or a hundred use the same prepared statement.
struct StoreManyOnPostgres<'a> {
    invitation_ids: Vec<i64>,
    wave_ids: Vec<i64>,
    sides: Vec<&'static str>,
    levels: Vec<&'a str>,
    functions: Vec<&'a str>,
    regions: Vec<&'a str>,
    business_units: Vec<&'a str>,
    languages: Vec<&'a str>,
    ats: Vec<NaiveDateTime>,
    answer_invitations: Vec<i64>,
    answer_items: Vec<&'a str>,
    answer_values: Vec<Option<i64>>,
    comment_invitations: Vec<i64>,
    comment_questions: Vec<&'a str>,
    comment_bodies: Vec<&'a str>,
}

impl diesel::query_builder::QueryId for StoreManyOnPostgres<'_> {
    type QueryId = StoreManyOnPostgres<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for StoreManyOnPostgres<'_> {
    type SqlType = (diesel::sql_types::BigInt, diesel::sql_types::Timestamp);
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for StoreManyOnPostgres<'_> {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
        // The submissions, one row each. A row whose wave is no longer open is left out (no
        // response, no answers, no row returned). On a re-submission only `updated_at` moves
        // (the snapshot stays as first given), and the `WHERE` of the update compares the
        // row version this statement's snapshot saw with the one it locked: if another
        // submission of the same link committed in between, this statement would not see
        // that submission's comments, so it writes nothing for the row and returns none;
        // the caller then stores it again on the transactional path.
        out.push_sql("WITH s AS (SELECT * FROM unnest(");
        out.push_bind_param::<Array<BigInt>, _>(&self.invitation_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<BigInt>, _>(&self.wave_ids)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.sides)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.levels)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.functions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.regions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.business_units)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.languages)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.ats)?;
        out.push_sql(
            ") AS s(invitation_id, wave_id, side, level, function, region, business_unit, \
             language, at)), \
             r AS (INSERT INTO responses AS old (invitation_id, wave_id, side, level, \
             function, region, business_unit, language, submitted_at, updated_at) SELECT \
             s.invitation_id, s.wave_id, s.side, s.level, s.function, s.region, \
             s.business_unit, s.language, s.at, s.at FROM s JOIN waves w ON w.id = \
             s.wave_id AND w.state = 'open' AND w.closes_at > s.at ON CONFLICT \
             (invitation_id) DO UPDATE SET updated_at = EXCLUDED.updated_at WHERE old.xmin = \
             (SELECT x.xmin FROM responses x WHERE x.invitation_id = EXCLUDED.invitation_id) \
             RETURNING id, invitation_id, submitted_at), \
             a AS (INSERT INTO answers (response_id, item_id, value) SELECT r.id, i.item_id, \
             i.value FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.answer_invitations)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.answer_items)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<BigInt>>, _>(&self.answer_values)?;
        out.push_sql(
            ") AS i(invitation_id, item_id, value) JOIN r ON r.invitation_id = i.invitation_id \
             ON CONFLICT (response_id, item_id) DO UPDATE SET value = EXCLUDED.value), \
             q AS (SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<BigInt>, _>(&self.comment_invitations)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.comment_questions)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.comment_bodies)?;
        // Answers: a valid submission answers every item of the wave's template, so the
        // upsert overwrites every stored answer (see `upsert_answers`). Comments: the
        // questions answered now are upserted, the others of the same responses removed
        // (disjoint rows, so the order of the two does not matter). A new response (its
        // submission time is this row's) takes its person's custom attributes as its
        // snapshot (`db::attributes::snapshot_response` on the other paths).
        out.push_sql(
            ") AS q(invitation_id, question_id, body)), \
             d AS (DELETE FROM comments c USING r WHERE c.response_id = r.id AND NOT EXISTS \
             (SELECT 1 FROM q WHERE q.invitation_id = r.invitation_id AND q.question_id = \
             c.question_id)), \
             c AS (INSERT INTO comments (response_id, question_id, body) SELECT r.id, \
             q.question_id, q.body FROM q JOIN r ON r.invitation_id = q.invitation_id \
             ON CONFLICT (response_id, question_id) DO UPDATE SET body = EXCLUDED.body), \
             v AS (INSERT INTO response_attributes (response_id, attribute_id, value) SELECT \
             r.id, pa.attribute_id, pa.value FROM r JOIN s ON s.invitation_id = \
             r.invitation_id AND r.submitted_at = s.at JOIN invitations i ON i.id = \
             r.invitation_id JOIN person_attributes pa ON pa.person_id = i.person_id) \
             SELECT invitation_id, submitted_at FROM r",
        );
        Ok(())
    }
}

impl diesel::query_dsl::RunQueryDsl<diesel::PgConnection> for StoreManyOnPostgres<'_> {}

/// Stores many validated submissions on PostgreSQL in one statement: one round trip and
/// one commit for the whole batch, all or nothing. The rows must be of distinct
/// invitations (PostgreSQL refuses to upsert one row twice in a statement). Returns, per
/// row in order, `Done` or `NotWritten` (wave no longer open, or the response changed
/// meanwhile: store that one on the general path).
pub fn store_many_on_postgres<'a>(
    pg: &mut diesel::PgConnection,
    rows: &'a [BatchRow<'a>],
) -> QueryResult<Vec<Stored>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = StoreManyOnPostgres {
        invitation_ids: Vec::with_capacity(rows.len()),
        wave_ids: Vec::with_capacity(rows.len()),
        sides: Vec::with_capacity(rows.len()),
        levels: Vec::with_capacity(rows.len()),
        functions: Vec::with_capacity(rows.len()),
        regions: Vec::with_capacity(rows.len()),
        business_units: Vec::with_capacity(rows.len()),
        languages: Vec::with_capacity(rows.len()),
        ats: Vec::with_capacity(rows.len()),
        answer_invitations: Vec::new(),
        answer_items: Vec::new(),
        answer_values: Vec::new(),
        comment_invitations: Vec::new(),
        comment_questions: Vec::new(),
        comment_bodies: Vec::new(),
    };
    for row in rows {
        q.invitation_ids.push(row.invitation_id);
        q.wave_ids.push(row.wave_id);
        q.sides.push(row.snapshot.side.as_str());
        q.levels.push(row.snapshot.level);
        q.functions.push(row.snapshot.function);
        q.regions.push(row.snapshot.region);
        q.business_units.push(row.snapshot.business_unit);
        q.languages.push(row.snapshot.language);
        q.ats.push(row.at);
        for (item, answer) in &row.answers {
            q.answer_invitations.push(row.invitation_id);
            q.answer_items.push(item);
            q.answer_values.push(answer.to_db());
        }
        for (question, body) in &row.comments {
            q.comment_invitations.push(row.invitation_id);
            q.comment_questions.push(question);
            q.comment_bodies.push(body);
        }
    }
    let stored: std::collections::HashMap<i64, NaiveDateTime> =
        q.load::<(i64, NaiveDateTime)>(pg)?.into_iter().collect();
    Ok(rows
        .iter()
        .map(|row| match stored.get(&row.invitation_id) {
            Some(submitted_at) => Stored::Done {
                replaced: *submitted_at != row.at,
            },
            None => Stored::NotWritten,
        })
        .collect())
}
