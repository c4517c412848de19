//! Rows as stored. These are storage shapes, not domain types: a text column such as `side`
//! is parsed into its domain type by the code that reads it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = firms)]
pub struct Firm {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = template_versions)]
pub struct TemplateVersion {
    pub id: i64,
    pub template_id: String,
    pub version: String,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = partnerships)]
pub struct Partnership {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub customer_firm_id: i64,
    pub supplier_firm_id: i64,
    pub template_id: String,
    pub cadence: String,
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: String,
    pub timezone: String,
    pub response_window_days: i64,
    pub reminder_days: String,
    pub min_reporting_size: i64,
    pub min_comment_size: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = partnerships)]
pub struct NewPartnership<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub customer_firm_id: i64,
    pub supplier_firm_id: i64,
    pub template_id: &'a str,
    pub cadence: &'a str,
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: &'a str,
    pub timezone: &'a str,
    pub response_window_days: i64,
    pub reminder_days: &'a str,
    pub min_reporting_size: i64,
    pub min_comment_size: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = people)]
pub struct Person {
    pub id: i64,
    pub partnership_id: i64,
    pub side: String,
    pub email: Option<String>,
    pub external_ref: Option<String>,
    pub name: String,
    pub level: String,
    pub function: String,
    pub region: String,
    pub roles: String,
    pub active: bool,
    pub opted_out_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `en`, `fr`, `de` or `es`; `None`: the partnership's default language.
    pub language: Option<String>,
    /// Empty when the roster gives none.
    pub business_unit: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = people)]
pub struct NewPerson<'a> {
    pub partnership_id: i64,
    pub side: &'a str,
    pub email: Option<&'a str>,
    pub external_ref: Option<&'a str>,
    pub name: &'a str,
    pub level: &'a str,
    pub function: &'a str,
    pub region: &'a str,
    pub roles: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub language: Option<&'a str>,
    pub business_unit: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = waves)]
pub struct Wave {
    pub id: i64,
    pub partnership_id: i64,
    pub seq: i64,
    pub template_version_id: i64,
    pub state: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub reminder_days: String,
    pub opened_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub imported: bool,
    pub slot_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// `None`: the partnership's main series.
    pub series_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = waves)]
pub struct NewWave<'a> {
    pub partnership_id: i64,
    pub seq: i64,
    pub template_version_id: i64,
    pub state: &'a str,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub reminder_days: &'a str,
    pub opened_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub imported: bool,
    pub slot_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// `None`: the partnership's main series.
    pub series_id: Option<i64>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub wave_id: i64,
    pub person_id: i64,
    pub sent_at: Option<NaiveDateTime>,
    pub reminders_sent: i64,
    pub last_reminded_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Set when the wave closed and the response was unlinked from this invitation: the
    /// only trace left that this person answered.
    pub responded: bool,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = responses)]
pub struct Response {
    pub id: i64,
    /// `None` once the wave closed: nothing then ties the answers to a person.
    pub invitation_id: Option<i64>,
    pub wave_id: i64,
    pub side: String,
    pub level: String,
    pub function: String,
    pub region: String,
    pub submitted_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Empty when the roster gave none.
    pub business_unit: String,
    /// The language the response was given in; empty for responses stored before it was kept.
    pub language: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = answers)]
pub struct AnswerRow {
    pub id: i64,
    pub response_id: i64,
    pub item_id: String,
    pub value: Option<i64>,
}
