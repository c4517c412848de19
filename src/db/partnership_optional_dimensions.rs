//! The optional template dimensions a partnership asks (`optional = true` in a template file,
//! such as the perception template's `joint_future`). No row: none. Ids are checked against
//! the template by the service before they get here.

use diesel::prelude::*;

use super::schema::partnership_optional_dimensions as pod;
use super::Conn;

/// The dimension ids, in id order.
pub fn list(conn: &mut Conn, partnership_id: i64) -> QueryResult<Vec<String>> {
    pod::table
        .filter(pod::partnership_id.eq(partnership_id))
        .select(pod::dimension_id)
        .order(pod::dimension_id)
        .load(conn)
}

/// Replaces the partnership's set with `ids`, inside the caller's transaction.
pub fn replace(conn: &mut Conn, partnership_id: i64, ids: &[String]) -> QueryResult<()> {
    diesel::delete(pod::table.filter(pod::partnership_id.eq(partnership_id))).execute(conn)?;
    for id in ids {
        diesel::insert_into(pod::table)
            .values((
                pod::partnership_id.eq(partnership_id),
                pod::dimension_id.eq(id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The variant of `template` a wave of this partnership asks: the optional dimensions the
/// partnership opted in that this template declares (another series' template may declare
/// others), none when it opted in to nothing.
pub fn variant(
    conn: &mut Conn,
    template: &crate::survey_templates::SurveyTemplate,
    partnership_id: i64,
) -> QueryResult<crate::survey_templates::SurveyTemplate> {
    let chosen = list(conn, partnership_id)?;
    let declared: Vec<String> = template
        .optional_dimensions()
        .iter()
        .map(|d| d.id().to_owned())
        .filter(|id| chosen.contains(id))
        .collect();
    // Every id was just checked against the template's optional dimensions.
    Ok(template
        .with_optional(&declared)
        .unwrap_or_else(|_| template.clone()))
}
