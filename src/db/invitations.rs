//! Invitations and their link tokens. Tokens are looked up by hash only.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{Invitation, Partnership, Person, Wave};
use super::schema::{invitation_tokens, invitations, partnerships, people, responses, waves};
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

/// Everything a link leads to.
#[derive(Debug, Clone)]
pub struct LinkTarget {
    pub invitation: Invitation,
    pub wave: Wave,
    pub person: Person,
    pub partnership: Partnership,
}

pub fn find_by_token_hash(conn: &mut Conn, token_hash: &str) -> QueryResult<Option<LinkTarget>> {
    let found: Option<(Invitation, Wave, Person)> = invitation_tokens::table
        .inner_join(
            invitations::table
                .inner_join(waves::table)
                .inner_join(people::table),
        )
        .filter(invitation_tokens::token_hash.eq(token_hash))
        .select((
            Invitation::as_select(),
            Wave::as_select(),
            Person::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((invitation, wave, person)) = found else {
        return Ok(None);
    };
    let partnership = partnerships::table.find(wave.partnership_id).first(conn)?;
    Ok(Some(LinkTarget {
        invitation,
        wave,
        person,
        partnership,
    }))
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
