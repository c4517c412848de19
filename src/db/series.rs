//! Survey series. A partnership's main series is the template and schedule stored on the
//! partnership itself (its waves have no `series_id`); extra series are rows of
//! `survey_series`, unique per (partnership, key). [`Series`] is either, read the same way.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::models::Partnership;
use super::schema::{survey_series, waves};
use super::Conn;
use crate::domain::MAIN_SERIES;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = survey_series)]
pub struct SeriesRow {
    pub id: i64,
    pub partnership_id: i64,
    pub key: String,
    pub name: String,
    pub template_id: String,
    pub cadence: String,
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: String,
    pub timezone: String,
    pub response_window_days: i64,
    pub reminder_days: String,
    pub state: String,
    pub note: String,
    pub schedule_from: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = survey_series)]
pub struct SeriesValues<'a> {
    pub partnership_id: i64,
    pub key: &'a str,
    pub name: &'a str,
    pub template_id: &'a str,
    pub cadence: &'a str,
    #[diesel(treat_none_as_null = true)]
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: &'a str,
    pub timezone: &'a str,
    pub response_window_days: i64,
    pub reminder_days: &'a str,
    pub state: &'a str,
    pub note: &'a str,
    #[diesel(treat_none_as_null = true)]
    pub schedule_from: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// One series of a partnership, main or extra, with what scheduling and reports need.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `None`: the main series (waves with no `series_id`).
    pub id: Option<i64>,
    pub partnership_id: i64,
    pub key: String,
    pub name: String,
    pub template_id: String,
    pub cadence: String,
    pub first_wave_on: Option<NaiveDate>,
    pub send_time: String,
    pub timezone: String,
    pub response_window_days: i64,
    pub reminder_days: String,
    /// `active` or `paused` (the main series follows the partnership's state instead).
    pub state: String,
    pub note: String,
    /// Scheduled slots opening before this are not opened (edited or resumed meanwhile).
    pub schedule_from: Option<NaiveDateTime>,
}

impl Series {
    /// The partnership's own series.
    pub fn main(p: &Partnership) -> Series {
        Series {
            id: None,
            partnership_id: p.id,
            key: MAIN_SERIES.to_owned(),
            name: "Main survey".to_owned(),
            template_id: p.template_id.clone(),
            cadence: p.cadence.clone(),
            first_wave_on: p.first_wave_on,
            send_time: p.send_time.clone(),
            timezone: p.timezone.clone(),
            response_window_days: p.response_window_days,
            reminder_days: p.reminder_days.clone(),
            state: "active".to_owned(),
            note: String::new(),
            schedule_from: None,
        }
    }

    pub fn extra(row: SeriesRow) -> Series {
        Series {
            id: Some(row.id),
            partnership_id: row.partnership_id,
            key: row.key,
            name: row.name,
            template_id: row.template_id,
            cadence: row.cadence,
            first_wave_on: row.first_wave_on,
            send_time: row.send_time,
            timezone: row.timezone,
            response_window_days: row.response_window_days,
            reminder_days: row.reminder_days,
            state: row.state,
            note: row.note,
            schedule_from: row.schedule_from,
        }
    }

    pub fn is_main(&self) -> bool {
        self.id.is_none()
    }
}

/// The extra series of a partnership, by key.
pub fn extras(conn: &mut Conn, partnership_id: i64) -> QueryResult<Vec<SeriesRow>> {
    survey_series::table
        .filter(survey_series::partnership_id.eq(partnership_id))
        .order(survey_series::key.asc())
        .select(SeriesRow::as_select())
        .load(conn)
}

/// Every extra series, across partnerships.
pub fn all_extras(conn: &mut Conn) -> QueryResult<Vec<SeriesRow>> {
    survey_series::table
        .order(survey_series::id.asc())
        .select(SeriesRow::as_select())
        .load(conn)
}

/// Every series of `p`: the main one first, then the extra ones by key.
pub fn of_partnership(conn: &mut Conn, p: &Partnership) -> QueryResult<Vec<Series>> {
    let mut all = vec![Series::main(p)];
    all.extend(extras(conn, p.id)?.into_iter().map(Series::extra));
    Ok(all)
}

/// The series `key` of `p` (`main` is the partnership's own), if it exists.
pub fn find(conn: &mut Conn, p: &Partnership, key: &str) -> QueryResult<Option<Series>> {
    if key == MAIN_SERIES {
        return Ok(Some(Series::main(p)));
    }
    find_row(conn, p.id, key).map(|r| r.map(Series::extra))
}

pub fn find_row(conn: &mut Conn, partnership_id: i64, key: &str) -> QueryResult<Option<SeriesRow>> {
    survey_series::table
        .filter(survey_series::partnership_id.eq(partnership_id))
        .filter(survey_series::key.eq(key))
        .select(SeriesRow::as_select())
        .first(conn)
        .optional()
}

pub fn get_row(conn: &mut Conn, id: i64) -> QueryResult<SeriesRow> {
    survey_series::table
        .find(id)
        .select(SeriesRow::as_select())
        .first(conn)
}

/// The key of the series a wave belongs to (`main` when `series_id` is `None`).
pub fn key_of(conn: &mut Conn, series_id: Option<i64>) -> QueryResult<String> {
    match series_id {
        None => Ok(MAIN_SERIES.to_owned()),
        Some(id) => survey_series::table
            .find(id)
            .select(survey_series::key)
            .first(conn),
    }
}

pub fn insert(
    conn: &mut Conn,
    values: &SeriesValues<'_>,
    now: NaiveDateTime,
) -> QueryResult<SeriesRow> {
    diesel::insert_into(survey_series::table)
        .values((values, survey_series::created_at.eq(now)))
        .returning(survey_series::all_columns)
        .get_result(conn)
}

pub fn update(conn: &mut Conn, id: i64, values: &SeriesValues<'_>) -> QueryResult<()> {
    diesel::update(survey_series::table.find(id))
        .set(values)
        .execute(conn)?;
    Ok(())
}

/// How many waves a series has run (any state).
pub fn wave_count(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
) -> QueryResult<i64> {
    let q = waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .into_boxed();
    let q = match series_id {
        None => q.filter(waves::series_id.is_null()),
        Some(id) => q.filter(waves::series_id.eq(id)),
    };
    q.count().get_result(conn)
}
