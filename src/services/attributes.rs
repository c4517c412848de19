//! The custom roster attributes of a partnership (site, programme…): declared by an
//! administrator, given per person by the roster's column of the same key, snapshotted on
//! each response and reported as a breakdown under the same confidentiality rules as region.
//! Keys never change once declared (stored breakdowns carry them); labels may.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};

use crate::db::{self, Conn};
use crate::domain::{AttributeText, FieldProblem};
use crate::error::ServiceError;
use crate::reports::{check_attribute_key, SegmentKind, MAX_ATTRIBUTES};

/// A declared attribute as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AttributeView {
    /// The roster column and the report's breakdown name (`?segment=KEY`).
    pub key: String,
    /// What the pages call it.
    pub label: String,
}

/// A new attribute.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttributeInput {
    /// 1–32 characters: a lowercase letter, then lowercase letters, digits or `_`; not a
    /// built-in column (email, name, side, level, function, region, business_unit, language,
    /// roles).
    pub key: String,
    /// Shown on pages; 1–80 characters.
    pub label: String,
}

/// The partnership's attributes, in the order declared.
pub fn list(conn: &mut Conn, partnership_id: i64) -> Result<Vec<AttributeView>, ServiceError> {
    db::partnerships::require(conn, partnership_id)?;
    Ok(db::attributes::list(conn, partnership_id)?
        .into_iter()
        .map(|d| AttributeView {
            key: d.key,
            label: d.label,
        })
        .collect())
}

/// Checks `input` and declares the attribute, with its audit row, in one transaction. Bad
/// input writes nothing; every problem is listed.
pub fn add(
    conn: &mut Conn,
    partnership_id: i64,
    input: &AttributeInput,
    actor: &str,
) -> Result<AttributeView, ServiceError> {
    let key = input.key.trim().to_owned();
    let result = conn.write_transaction(|conn| {
        let p = db::partnerships::require(conn, partnership_id)?;
        let declared = db::attributes::list(conn, p.id)?;
        let mut problems = Vec::new();
        if let Err(message) = check_attribute_key(&key) {
            problems.push(FieldProblem {
                field: "key".into(),
                message,
            });
        } else if declared.iter().any(|d| d.key == key) {
            problems.push(duplicate(&key));
        } else if declared.len() >= MAX_ATTRIBUTES {
            problems.push(FieldProblem {
                field: "key".into(),
                message: format!(
                    "this partnership has {MAX_ATTRIBUTES} custom attributes, the most it may have"
                ),
            });
        }
        let label = match AttributeText::parse("label", &input.label) {
            Ok(t) if t.as_str().is_empty() => {
                problems.push(FieldProblem {
                    field: "label".into(),
                    message: "label is empty".into(),
                });
                String::new()
            }
            Ok(t) if t.as_str().chars().count() > 80 => {
                problems.push(FieldProblem {
                    field: "label".into(),
                    message: "label is longer than 80 characters".into(),
                });
                String::new()
            }
            Ok(t) => t.into_string(),
            Err(message) => {
                problems.push(FieldProblem {
                    field: "label".into(),
                    message,
                });
                String::new()
            }
        };
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let row = db::attributes::declare(conn, p.id, &key, &label, db::now())?;
        crate::auth::audit::audit(
            conn,
            actor,
            "attribute.added",
            &format!("partnership {}", p.id),
            &format!("custom attribute {} ({:?})", row.key, row.label),
        )?;
        Ok(AttributeView {
            key: row.key,
            label: row.label,
        })
    });
    match result {
        // Another caller declared the same key at the same moment.
        Err(ServiceError::Database(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Err(ServiceError::Invalid(vec![duplicate(&key)])),
        other => other,
    }
}

fn duplicate(key: &str) -> FieldProblem {
    FieldProblem {
        field: "key".into(),
        message: format!("this partnership already has a custom attribute {key:?}"),
    }
}

/// The breakdown `text` names for this partnership: a built-in one, or one of its custom
/// attributes. `Ok(Err(message))` when it names neither.
pub fn segment(
    conn: &mut Conn,
    partnership_id: i64,
    text: &str,
) -> Result<Result<SegmentKind, String>, ServiceError> {
    let builtin = match text.parse::<SegmentKind>() {
        Ok(kind) => return Ok(Ok(kind)),
        Err(message) => message,
    };
    let wanted = text.trim().to_ascii_lowercase();
    let declared = db::attributes::list(conn, partnership_id)?;
    Ok(match declared.iter().find(|d| d.key == wanted) {
        Some(d) => SegmentKind::attribute(&d.key),
        None if declared.is_empty() => Err(builtin),
        None => Err(format!(
            "{builtin}, or one of this partnership's custom attributes ({})",
            declared
                .iter()
                .map(|d| d.key.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    })
}
