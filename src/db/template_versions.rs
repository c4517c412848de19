//! Stored template bodies. A wave points at the exact body it used, so editing a template
//! file later never rewrites what an old wave asked.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::models::TemplateVersion;
use super::schema::template_versions;
use super::Conn;
use crate::survey_templates::SurveyTemplate;

/// The stored row for this exact template version, stored now if it is new.
pub fn ensure(conn: &mut Conn, template: &SurveyTemplate) -> QueryResult<TemplateVersion> {
    if let Some(v) = find_by_version(conn, template.version())? {
        return Ok(v);
    }
    let inserted = conn.write_transaction(|c| {
        diesel::insert_into(template_versions::table)
            .values((
                template_versions::template_id.eq(template.id()),
                template_versions::version.eq(template.version()),
                template_versions::body.eq(template.body()),
                template_versions::created_at.eq(super::now()),
            ))
            .returning(template_versions::all_columns)
            .get_result::<TemplateVersion>(c)
    });
    match inserted {
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            find_by_version(conn, template.version())?.ok_or(Error::NotFound)
        }
        other => other,
    }
}

pub fn find_by_version(conn: &mut Conn, version: &str) -> QueryResult<Option<TemplateVersion>> {
    template_versions::table
        .filter(template_versions::version.eq(version))
        .first(conn)
        .optional()
}

pub fn get(conn: &mut Conn, id: i64) -> QueryResult<TemplateVersion> {
    template_versions::table.find(id).first(conn)
}
