//! Roster import: the people of both firms taking part in a partnership.
//!
//! Re-importing updates people by email; people missing from the new file are deactivated,
//! never deleted, so their past responses keep their history.

use std::collections::{HashMap, HashSet};

use crate::db::models::NewPerson;
use crate::db::{self, people, Conn};
use crate::domain::{AttributeText, Email, Language, Side};
use crate::tabular::{Columns, ImportError, ImportProblem, Table};

const COLUMNS: Columns = Columns {
    required: &["email", "name", "side", "level", "function", "region"],
    optional: &["roles", "language", "business_unit"],
};

/// One checked roster line.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    pub line: u64,
    pub email: Email,
    pub name: String,
    pub side: Side,
    pub level: String,
    pub function: String,
    pub region: String,
    /// Empty when the column is absent or the cell empty ("not given").
    pub business_unit: String,
    /// Role tags (e.g. `point_person`, `executive_sponsor`), lowercased, `;`-joined.
    pub roles: String,
    /// The language the person reads; `None` (an empty cell or no column): the partnership's
    /// default.
    pub language: Option<Language>,
    /// The partnership's custom attributes, in the order asked for: (key, value), the value
    /// empty when the cell is empty or the column absent ("not given").
    pub attributes: Vec<(String, String)>,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RosterSummary {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub reactivated: usize,
    pub deactivated: usize,
    pub active_customer: usize,
    pub active_supplier: usize,
}

/// Parses and checks a roster file of a partnership without custom attributes; all
/// problems at once.
pub fn parse(bytes: &[u8]) -> Result<Vec<RosterEntry>, Vec<ImportProblem>> {
    parse_with(bytes, &[])
}

/// Parses and checks a roster file whose optional columns include the partnership's custom
/// attributes (`attributes`: their keys); all problems at once.
pub fn parse_with(
    bytes: &[u8],
    attributes: &[String],
) -> Result<Vec<RosterEntry>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let table = Table::read_with(bytes, &COLUMNS, attributes, &mut problems);
    let mut entries = Vec::with_capacity(table.rows.len());
    let mut seen: HashMap<Email, u64> = HashMap::new();
    for row in &table.rows {
        let before = problems.len();
        let email = Email::parse(table.cell(row, "email"))
            .map_err(|e| problems.push(table.problem(row, "email", e)))
            .ok();
        if let Some(email) = &email {
            if let Some(first) = seen.get(email) {
                problems.push(table.problem(
                    row,
                    "email",
                    format!("{email} is already on line {first}"),
                ));
            } else {
                seen.insert(email.clone(), row.line);
            }
        }
        let side = table
            .cell(row, "side")
            .parse::<Side>()
            .map_err(|e| problems.push(table.problem(row, "side", e)))
            .ok();
        let mut text = |col: &str| {
            AttributeText::parse(col, table.cell(row, col))
                .map(AttributeText::into_string)
                .unwrap_or_else(|e| {
                    problems.push(table.problem(row, col, e));
                    String::new()
                })
        };
        let name = text("name");
        let level = text("level");
        let function = text("function");
        let region = text("region");
        let business_unit = text("business_unit");
        let custom: Vec<(String, String)> = attributes
            .iter()
            .map(|key| (key.clone(), text(key)))
            .collect();
        let mut roles = Vec::new();
        for tag in table.cell(row, "roles").split(';') {
            let tag = tag.trim().to_lowercase().replace([' ', '-'], "_");
            if tag.is_empty() {
                continue;
            }
            if !tag.chars().all(|c| c.is_alphanumeric() || c == '_') {
                problems.push(table.problem(
                    row,
                    "roles",
                    format!("role {tag:?} may only hold letters, digits and _"),
                ));
            } else if !roles.contains(&tag) {
                roles.push(tag);
            }
        }
        let language = match table.cell(row, "language").trim() {
            "" => None,
            code => code
                .parse::<Language>()
                .map_err(|e| problems.push(table.problem(row, "language", e)))
                .ok(),
        };
        if problems.len() == before {
            entries.push(RosterEntry {
                line: row.line,
                email: email.expect("checked above"),
                name,
                side: side.expect("checked above"),
                level,
                function,
                region,
                business_unit,
                roles: roles.join(";"),
                language,
                attributes: custom,
            });
        }
    }
    if problems.is_empty() && entries.is_empty() {
        problems.push(ImportProblem {
            line: 1,
            column: None,
            message: "the file has a header but no people".into(),
        });
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        problems.sort_by_key(|p| (p.line, p.column));
        Err(problems)
    }
}

/// Parses `bytes` and applies them to the partnership's people in one transaction.
pub fn import(
    conn: &mut Conn,
    partnership_id: i64,
    bytes: &[u8],
) -> Result<RosterSummary, ImportError> {
    conn.write_transaction(|conn| {
        let declared = db::attributes::list(conn, partnership_id)?;
        let keys: Vec<String> = declared.iter().map(|d| d.key.clone()).collect();
        let entries = parse_with(bytes, &keys).map_err(ImportError::Invalid)?;
        let ids: HashMap<&str, i64> = declared.iter().map(|d| (d.key.as_str(), d.id)).collect();
        apply(conn, partnership_id, &entries, &ids)
    })
}

fn apply(
    conn: &mut Conn,
    partnership_id: i64,
    entries: &[RosterEntry],
    attribute_ids: &HashMap<&str, i64>,
) -> Result<RosterSummary, ImportError> {
    let now = db::now();
    let existing = people::for_partnership(conn, partnership_id)?;
    let mut values = db::attributes::person_values(conn, partnership_id)?;
    let by_email: HashMap<&str, &crate::db::models::Person> = existing
        .iter()
        .filter_map(|p| p.email.as_deref().map(|e| (e, p)))
        .collect();
    let mut summary = RosterSummary::default();
    let mut present = HashSet::new();
    for e in entries {
        present.insert(e.email.as_str());
        // The person's custom values as the file gives them (attribute id → value).
        let given: std::collections::BTreeMap<i64, String> = e
            .attributes
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| attribute_ids.get(k.as_str()).map(|id| (*id, v.clone())))
            .collect();
        let pairs: Vec<(i64, &str)> = given.iter().map(|(k, v)| (*k, v.as_str())).collect();
        match by_email.get(e.email.as_str()) {
            Some(p) => {
                let same = p.side == e.side.as_str()
                    && p.name == e.name
                    && p.level == e.level
                    && p.function == e.function
                    && p.region == e.region
                    && p.business_unit == e.business_unit
                    && p.roles == e.roles
                    && p.language.as_deref() == e.language.map(Language::code)
                    && values.remove(&p.id).unwrap_or_default() == given;
                if same && p.active {
                    summary.unchanged += 1;
                    continue;
                }
                if !p.active {
                    summary.reactivated += 1;
                } else {
                    summary.updated += 1;
                }
                people::update(
                    conn,
                    p.id,
                    &people::PersonChanges {
                        side: e.side.as_str(),
                        name: &e.name,
                        level: &e.level,
                        function: &e.function,
                        region: &e.region,
                        roles: &e.roles,
                        active: true,
                        updated_at: now,
                        language: e.language.map(Language::code),
                        business_unit: &e.business_unit,
                    },
                )?;
                db::attributes::set_person_values(conn, p.id, &pairs)?;
            }
            None => {
                let person = people::insert(
                    conn,
                    &NewPerson {
                        partnership_id,
                        side: e.side.as_str(),
                        email: Some(e.email.as_str()),
                        external_ref: None,
                        name: &e.name,
                        level: &e.level,
                        function: &e.function,
                        region: &e.region,
                        roles: &e.roles,
                        active: true,
                        created_at: now,
                        updated_at: now,
                        language: e.language.map(Language::code),
                        business_unit: &e.business_unit,
                    },
                )?;
                if !pairs.is_empty() {
                    db::attributes::set_person_values(conn, person.id, &pairs)?;
                }
                summary.added += 1;
            }
        }
    }
    let leaving: Vec<i64> = existing
        .iter()
        .filter(|p| p.active)
        .filter(|p| p.email.as_deref().is_some_and(|e| !present.contains(e)))
        .map(|p| p.id)
        .collect();
    summary.deactivated = people::deactivate(conn, &leaving)?;
    summary.active_customer = entries.iter().filter(|e| e.side == Side::Customer).count();
    summary.active_supplier = entries.len() - summary.active_customer;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "email,name,side,level,function,region,roles\n";

    #[test]
    fn parses_a_good_roster() {
        let file = format!(
            "{HEADER}Ann@Acme.com, Ann Lee ,customer,Executive,Sales,EU,point person;Executive-Sponsor\n\
             bob@bolt.com,Bob,supplier,staff,engineering,US,\n"
        );
        let entries = parse(file.as_bytes()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].email.as_str(), "ann@acme.com");
        assert_eq!(entries[0].name, "Ann Lee");
        assert_eq!(entries[0].roles, "point_person;executive_sponsor");
        assert_eq!(entries[1].side, Side::Supplier);
        assert_eq!(entries[1].roles, "");
    }

    #[test]
    fn lists_every_problem_with_line_and_column() {
        let file = format!(
            "{HEADER}ann@acme,Ann,customer,staff,sales,EU,\n\
             bob@bolt.com,Bob,vendor,staff,sales,EU,\n\
             BOB@bolt.com,Bobby,supplier,staff,sales,EU,\n"
        );
        let problems: Vec<String> = parse(file.as_bytes())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            [
                "line 2, column 1: email: email \"ann@acme\" has no valid domain after the @",
                "line 3, column 3: side: side \"vendor\" is neither \"customer\" nor \"supplier\"",
                "line 4, column 1: email: bob@bolt.com is already on line 3",
            ]
        );
    }

    #[test]
    fn the_language_column_is_optional_and_an_empty_cell_means_the_default() {
        let file = "email,name,side,level,function,region,language\n\
                    ann@acme.com,Ann,customer,staff,sales,EU,FR\n\
                    bob@bolt.com,Bob,supplier,staff,sales,EU,de\n\
                    cy@bolt.com,Cy,supplier,staff,sales,EU,\n";
        let entries = parse(file.as_bytes()).unwrap();
        let languages: Vec<Option<Language>> = entries.iter().map(|e| e.language).collect();
        assert_eq!(languages, [Some(Language::Fr), Some(Language::De), None]);

        let without = format!("{HEADER}ann@acme.com,Ann,customer,staff,sales,EU,\n");
        assert_eq!(parse(without.as_bytes()).unwrap()[0].language, None);
    }

    #[test]
    fn an_unknown_language_is_refused_with_its_line_and_column() {
        let file = "email,name,side,level,function,region,language\n\
                    ann@acme.com,Ann,customer,staff,sales,EU,fr\n\
                    bob@bolt.com,Bob,supplier,staff,sales,EU,klingon\n";
        let problems: Vec<String> = parse(file.as_bytes())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            ["line 3, column 7: language: language \"klingon\" is not offered (known: en, fr, de, es)"]
        );
    }

    #[test]
    fn the_business_unit_column_is_optional_and_an_empty_cell_means_not_given() {
        let file = "email,name,side,level,function,region,business_unit\n\
                    ann@acme.com,Ann,customer,staff,sales,EU, Retail   Banking \n\
                    bob@bolt.com,Bob,supplier,staff,sales,EU,\n";
        let entries = parse(file.as_bytes()).unwrap();
        let units: Vec<&str> = entries.iter().map(|e| e.business_unit.as_str()).collect();
        assert_eq!(units, ["Retail Banking", ""]);

        let without = format!("{HEADER}ann@acme.com,Ann,customer,staff,sales,EU,\n");
        assert_eq!(parse(without.as_bytes()).unwrap()[0].business_unit, "");
    }

    #[test]
    fn a_business_unit_with_a_control_character_is_refused_with_its_line_and_column() {
        let file = "email,name,side,business_unit,level,function,region\n\
                    ann@acme.com,Ann,customer,\"Retail\u{7}\",staff,sales,EU\n";
        let problems: Vec<String> = parse(file.as_bytes())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            problems,
            ["line 2, column 4: business_unit: business_unit contains a control character"]
        );
    }

    #[test]
    fn a_header_alone_is_refused() {
        let problems = parse(HEADER.as_bytes()).unwrap_err();
        assert_eq!(problems[0].message, "the file has a header but no people");
    }
}
