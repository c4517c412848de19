//! Invitations and their link tokens. Tokens are looked up by hash only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Invitation, Partnership, Person, Wave};
use super::schema::{
    invitation_tokens, invitations, partnership_languages, partnerships, people, responses,
    template_versions, waves,
};
use super::Conn;

pub fn insert(
    conn: &mut Conn,
    wave_id: i64,
    person_id: i64,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(invitations::table)
        .values((
            invitations::wave_id.eq(wave_id),
            invitations::person_id.eq(person_id),
            invitations::sent_at.eq(Some(at)),
            invitations::reminders_sent.eq(0_i64),
            invitations::created_at.eq(at),
        ))
        .returning(invitations::id)
        .get_result(conn)
}

pub fn add_token(
    conn: &mut Conn,
    invitation_id: i64,
    token_hash: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(invitation_tokens::table)
        .values((
            invitation_tokens::invitation_id.eq(invitation_id),
            invitation_tokens::token_hash.eq(token_hash),
            invitation_tokens::created_at.eq(at),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Rows per multi-row INSERT of invitations or tokens: at most 5 bound parameters a row,
/// far under both backends' limits, and a bounded statement size.
pub const INSERT_CHUNK: usize = 500;

/// Invites many people to a wave at once: one multi-row INSERT per [`INSERT_CHUNK`] people.
/// Returns (person id, invitation id) pairs; RETURNING's row order is not guaranteed by
/// either backend, hence the person id with each. Run it inside the caller's transaction.
pub fn insert_many(
    conn: &mut Conn,
    wave_id: i64,
    person_ids: &[i64],
    at: NaiveDateTime,
) -> QueryResult<Vec<(i64, i64)>> {
    let mut out = Vec::with_capacity(person_ids.len());
    for chunk in person_ids.chunks(INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|person_id| {
                (
                    invitations::wave_id.eq(wave_id),
                    invitations::person_id.eq(*person_id),
                    invitations::sent_at.eq(Some(at)),
                    invitations::reminders_sent.eq(0_i64),
                    invitations::created_at.eq(at),
                )
            })
            .collect();
        // Multi-row inserts only compile on the inner connections.
        let insert = diesel::insert_into(invitations::table)
            .values(&rows)
            .returning((invitations::person_id, invitations::id));
        out.extend(match conn {
            Conn::Sqlite(c) => insert.get_results::<(i64, i64)>(c),
            Conn::Postgres(c) => insert.get_results::<(i64, i64)>(c),
        }?);
    }
    Ok(out)
}

/// Stores many (invitation id, token hash) pairs, [`INSERT_CHUNK`] per statement.
pub fn add_tokens(conn: &mut Conn, tokens: &[(i64, String)], at: NaiveDateTime) -> QueryResult<()> {
    for chunk in tokens.chunks(INSERT_CHUNK) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(invitation_id, hash)| {
                (
                    invitation_tokens::invitation_id.eq(*invitation_id),
                    invitation_tokens::token_hash.eq(hash),
                    invitation_tokens::created_at.eq(at),
                )
            })
            .collect();
        let insert = diesel::insert_into(invitation_tokens::table).values(&rows);
        match conn {
            Conn::Sqlite(c) => insert.execute(c),
            Conn::Postgres(c) => insert.execute(c),
        }?;
    }
    Ok(())
}

/// Everything a link leads to.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    pub invitation: Invitation,
    pub wave: Wave,
    pub person: Person,
    pub partnership: Partnership,
    /// The version (content hash) of the template the wave uses, so a caller can find the
    /// parsed template in a cache without reading the body.
    pub template_version: String,
    /// The partnership's default language (`None`: none set, i.e. English), read with the
    /// link so a submission's language snapshot costs no extra query.
    pub default_language: Option<String>,
}

/// Token, invitation, wave, partnership, template version and person joined: where a link
/// leads. A macro because the selected types are typed by backend and by query.
macro_rules! links {
    () => {
        invitation_tokens::table.inner_join(
            invitations::table
                .inner_join(
                    waves::table
                        .inner_join(partnerships::table.left_join(partnership_languages::table))
                        .inner_join(template_versions::table),
                )
                .inner_join(people::table),
        )
    };
}

/// The columns of a [`LinkTarget`], in the order [`link_target`] takes them.
macro_rules! link_columns {
    () => {
        (
            Invitation::as_select(),
            Wave::as_select(),
            Partnership::as_select(),
            template_versions::version,
            Person::as_select(),
            partnership_languages::language.nullable(),
        )
    };
}

type LinkRow = (
    Invitation,
    Wave,
    Partnership,
    String,
    Person,
    Option<String>,
);

fn link_target(
    (invitation, wave, partnership, template_version, person, default_language): LinkRow,
) -> LinkTarget {
    LinkTarget {
        invitation,
        wave,
        person,
        partnership,
        template_version,
        default_language,
    }
}

/// The link behind a token hash, in one query (submissions run it on every request: on
/// PostgreSQL each extra query is a round trip).
pub fn find_by_token_hash(conn: &mut Conn, token_hash: &str) -> QueryResult<Option<LinkTarget>> {
    // Run on the inner connection: through the multi-backend connection diesel rebuilds
    // the SQL text of this join on every call to find its cached statement (a tenth of the
    // SQLite writer's time in a profile); on the inner one it is found by type.
    //
    // `get_result`, not `first`: token hashes are unique, and `first` binds `LIMIT ?`,
    // which makes the bundled SQLite (planner stability off) mark the cached statement
    // expired on every bind and parse and plan this five-table join again on every call —
    // two thirds of the writer thread's time in a profile of the submissions benchmark.
    macro_rules! by_hash {
        ($c:expr) => {
            links!()
                .filter(invitation_tokens::token_hash.eq(token_hash))
                .select(link_columns!())
                .get_result::<LinkRow>($c)
        };
    }
    let found = match conn {
        Conn::Sqlite(c) => by_hash!(c),
        Conn::Postgres(c) => by_hash!(c),
    }
    .optional()?;
    Ok(found.map(link_target))
}

/// The links behind many token hashes, in one query (the PostgreSQL submission batcher looks
/// up every link of a batch at once). Returns each found link with its token hash; hashes
/// not found are simply absent.
pub fn find_many_by_token_hash(
    conn: &mut Conn,
    token_hashes: &[String],
) -> QueryResult<Vec<(String, LinkTarget)>> {
    if token_hashes.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<(String, LinkRow)> = links!()
        .filter(invitation_tokens::token_hash.eq_any(token_hashes))
        .select((invitation_tokens::token_hash, link_columns!()))
        .load(conn)?;
    Ok(found
        .into_iter()
        .map(|(hash, row)| (hash, link_target(row)))
        .collect())
}

/// Invitations of a wave still waiting for an answer, with their people.
pub fn unanswered(conn: &mut Conn, wave_id: i64) -> QueryResult<Vec<(Invitation, Person)>> {
    invitations::table
        .inner_join(people::table)
        .left_join(responses::table)
        .filter(invitations::wave_id.eq(wave_id))
        .filter(responses::id.is_null())
        .select((Invitation::as_select(), Person::as_select()))
        .order(invitations::id.asc())
        .load(conn)
}

/// Records that the reminder number `to` went out, only if nobody else did it first
/// (returns false when another scheduler instance won).
pub fn advance_reminders(
    conn: &mut Conn,
    invitation_id: i64,
    from: i64,
    to: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        invitations::table
            .filter(invitations::id.eq(invitation_id))
            .filter(invitations::reminders_sent.eq(from)),
    )
    .set((
        invitations::reminders_sent.eq(to),
        invitations::last_reminded_at.eq(Some(at)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Batch form of [`advance_reminders`]: records reminder number `to` on those of `ids` that
/// have had fewer, in one statement, and returns the ids it advanced (the others were
/// already there, for instance because another scheduler instance won).
pub fn advance_reminders_many(
    conn: &mut Conn,
    ids: &[i64],
    to: i64,
    at: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(
        invitations::table
            .filter(invitations::id.eq_any(ids))
            .filter(invitations::reminders_sent.lt(to)),
    )
    .set((
        invitations::reminders_sent.eq(to),
        invitations::last_reminded_at.eq(Some(at)),
    ))
    .returning(invitations::id)
    .get_results(conn)
}

/// (invited, responded) per side for a wave, as ((customer), (supplier)).
pub fn counts_by_side(conn: &mut Conn, wave_id: i64) -> QueryResult<Vec<(String, i64, i64)>> {
    let invited: Vec<(String, i64)> = invitations::table
        .inner_join(people::table)
        .filter(invitations::wave_id.eq(wave_id))
        .group_by(people::side)
        .select((people::side, diesel::dsl::count_star()))
        .load(conn)?;
    let responded: Vec<(String, i64)> = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .group_by(responses::side)
        .select((responses::side, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(invited
        .into_iter()
        .map(|(side, i)| {
            let r = responded
                .iter()
                .find(|(s, _)| *s == side)
                .map(|(_, n)| *n)
                .unwrap_or(0);
            (side, i, r)
        })
        .collect())
}
