//! The custom attributes a partnership declares for its roster (site, programme…), each
//! person's value and each response's snapshot of it. Keys are checked by the caller
//! (`reports::check_attribute_key`) before they get here. A person without a value has no
//! row: an empty value is never stored.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{
    invitations, partnership_attributes as pa, person_attributes, response_attributes, responses,
};
use super::Conn;

/// One declared attribute.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Declared {
    pub id: i64,
    pub key: String,
    pub label: String,
}

/// The partnership's attributes, in the order they were declared.
pub fn list(conn: &mut Conn, partnership_id: i64) -> QueryResult<Vec<Declared>> {
    pa::table
        .filter(pa::partnership_id.eq(partnership_id))
        .order(pa::id.asc())
        .select((pa::id, pa::key, pa::label))
        .load(conn)
}

/// Declares one attribute. A key declared already is a `UniqueViolation`.
pub fn declare(
    conn: &mut Conn,
    partnership_id: i64,
    key: &str,
    label: &str,
    at: NaiveDateTime,
) -> QueryResult<Declared> {
    diesel::insert_into(pa::table)
        .values((
            pa::partnership_id.eq(partnership_id),
            pa::key.eq(key),
            pa::label.eq(label),
            pa::created_at.eq(at),
        ))
        .returning((pa::id, pa::key, pa::label))
        .get_result(conn)
}

/// Renames an attribute's label (its key, which the stored breakdowns carry, never changes).
pub fn relabel(conn: &mut Conn, attribute_id: i64, label: &str) -> QueryResult<usize> {
    diesel::update(pa::table.find(attribute_id))
        .set(pa::label.eq(label))
        .execute(conn)
}

/// Every value of the partnership's people: person → attribute id → value.
pub fn person_values(
    conn: &mut Conn,
    partnership_id: i64,
) -> QueryResult<HashMap<i64, BTreeMap<i64, String>>> {
    let rows: Vec<(i64, i64, String)> = person_attributes::table
        .inner_join(pa::table)
        .filter(pa::partnership_id.eq(partnership_id))
        .select((
            person_attributes::person_id,
            person_attributes::attribute_id,
            person_attributes::value,
        ))
        .load(conn)?;
    let mut out: HashMap<i64, BTreeMap<i64, String>> = HashMap::new();
    for (person, attribute, value) in rows {
        out.entry(person).or_default().insert(attribute, value);
    }
    Ok(out)
}

/// Replaces one person's values with `values` (attribute id, value); empty values are not
/// stored. Inside the caller's transaction.
pub fn set_person_values(
    conn: &mut Conn,
    person_id: i64,
    values: &[(i64, &str)],
) -> QueryResult<()> {
    diesel::delete(person_attributes::table.filter(person_attributes::person_id.eq(person_id)))
        .execute(conn)?;
    for (attribute, value) in values.iter().filter(|(_, v)| !v.is_empty()) {
        diesel::insert_into(person_attributes::table)
            .values((
                person_attributes::person_id.eq(person_id),
                person_attributes::attribute_id.eq(attribute),
                person_attributes::value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Snapshots the invited person's current values onto a response just stored for the first
/// time, in one `INSERT … SELECT`. Call it only for a new response: a response keeps the
/// attributes it was first given under.
pub fn snapshot_response(
    conn: &mut Conn,
    response_id: i64,
    invitation_id: i64,
) -> QueryResult<usize> {
    let values = person_attributes::table
        .inner_join(invitations::table.on(invitations::person_id.eq(person_attributes::person_id)))
        .filter(invitations::id.eq(invitation_id))
        .select((
            response_id.into_sql::<BigInt>(),
            person_attributes::attribute_id,
            person_attributes::value,
        ));
    diesel::insert_into(response_attributes::table)
        .values(values)
        .into_columns((
            response_attributes::response_id,
            response_attributes::attribute_id,
            response_attributes::value,
        ))
        .execute(conn)
}

/// Stores a response's snapshot as given (historic imports, whose people answered outside
/// Tandem); empty values are not stored.
pub fn insert_response_values(
    conn: &mut Conn,
    response_id: i64,
    values: &[(i64, &str)],
) -> QueryResult<()> {
    for (attribute, value) in values.iter().filter(|(_, v)| !v.is_empty()) {
        diesel::insert_into(response_attributes::table)
            .values((
                response_attributes::response_id.eq(response_id),
                response_attributes::attribute_id.eq(attribute),
                response_attributes::value.eq(value),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A wave's values by key: invitation → key → the person's current value, and response →
/// key → the response's snapshot.
pub struct WaveValues {
    pub by_invitation: HashMap<i64, BTreeMap<String, String>>,
    pub by_response: HashMap<i64, BTreeMap<String, String>>,
}

/// The values [`WaveValues`] of one wave.
pub fn wave_values(conn: &mut Conn, wave_id: i64) -> QueryResult<WaveValues> {
    let people: Vec<(i64, String, String)> = person_attributes::table
        .inner_join(pa::table)
        .inner_join(invitations::table.on(invitations::person_id.eq(person_attributes::person_id)))
        .filter(invitations::wave_id.eq(wave_id))
        .select((invitations::id, pa::key, person_attributes::value))
        .load(conn)?;
    let snapshots: Vec<(i64, String, String)> = response_attributes::table
        .inner_join(pa::table)
        .inner_join(responses::table)
        .filter(responses::wave_id.eq(wave_id))
        .select((
            response_attributes::response_id,
            pa::key,
            response_attributes::value,
        ))
        .load(conn)?;
    let group = |rows: Vec<(i64, String, String)>| {
        let mut out: HashMap<i64, BTreeMap<String, String>> = HashMap::new();
        for (id, key, value) in rows {
            out.entry(id).or_default().insert(key, value);
        }
        out
    };
    Ok(WaveValues {
        by_invitation: group(people),
        by_response: group(snapshots),
    })
}
