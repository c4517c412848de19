//! Historic responses: a team's history moved in from spreadsheets, in the long format
//! `wave,firm,respondent,level,function,item,value` (empty value = don't know).
//!
//! Each wave number becomes a closed wave of the partnership, each respondent id a
//! pseudonymous person (no email, never invited), each respondent × wave one response whose
//! segment snapshot is that wave's level and function (and region, business unit and the
//! partnership's custom attributes when the file has their columns).

use std::collections::{BTreeMap, HashMap};

use crate::db::models::{NewPerson, NewWave, Person};
use crate::db::responses::Snapshot;
use crate::db::{self, people, responses, template_versions, waves, Conn};
use crate::domain::{Answer, AttributeText, Side};
use crate::survey_templates::SurveyTemplate;
use crate::tabular::{Columns, ImportError, ImportProblem, Table};

const COLUMNS: Columns = Columns {
    required: &[
        "wave",
        "firm",
        "respondent",
        "level",
        "function",
        "item",
        "value",
    ],
    optional: &["region", "business_unit"],
};

/// One respondent's answers in one wave.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoricResponse {
    pub wave: i64,
    pub respondent: String,
    pub side: Side,
    pub level: String,
    pub function: String,
    pub region: String,
    pub business_unit: String,
    /// The partnership's custom attributes asked for: (key, value), empty = not given.
    pub attributes: Vec<(String, String)>,
    /// item id → answer, in file order
    pub answers: Vec<(String, Answer)>,
    /// first line of this respondent in this wave, for messages
    pub line: u64,
}

/// What an import stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct HistorySummary {
    pub waves_created: Vec<i64>,
    pub respondents: usize,
    pub responses: usize,
    pub answers: usize,
    pub dont_know: usize,
}

/// Parses and checks a file against `template`; all problems at once.
pub fn parse(
    bytes: &[u8],
    template: &SurveyTemplate,
) -> Result<Vec<HistoricResponse>, Vec<ImportProblem>> {
    parse_with(bytes, template, &[])
}

/// [`parse`] with the partnership's custom attributes (`attributes`: their keys) as more
/// optional columns.
pub fn parse_with(
    bytes: &[u8],
    template: &SurveyTemplate,
    attributes: &[String],
) -> Result<Vec<HistoricResponse>, Vec<ImportProblem>> {
    let mut problems = Vec::new();
    let table = Table::read_with(bytes, &COLUMNS, attributes, &mut problems);
    // (wave, respondent) → response being assembled
    let mut responses: BTreeMap<(i64, String), HistoricResponse> = BTreeMap::new();
    // (wave, respondent, item) → line, to catch an item answered twice
    let mut answered: HashMap<(i64, String, String), u64> = HashMap::new();
    // respondent → (side, first line), to catch a person on both sides
    let mut sides: HashMap<String, (Side, u64)> = HashMap::new();

    for row in &table.rows {
        let before = problems.len();
        let wave = match table.cell(row, "wave").trim().parse::<i64>() {
            Ok(w) if w >= 1 => Some(w),
            _ => {
                problems.push(table.problem(
                    row,
                    "wave",
                    format!(
                        "{:?} is not a wave number (1, 2, 3…)",
                        table.cell(row, "wave").trim()
                    ),
                ));
                None
            }
        };
        let side = table
            .cell(row, "firm")
            .parse::<Side>()
            .map_err(|e| problems.push(table.problem(row, "firm", e)))
            .ok();
        let respondent = table.cell(row, "respondent").trim().to_owned();
        if respondent.is_empty()
            || respondent.len() > 100
            || !respondent
                .chars()
                .all(|c| c.is_alphanumeric() || "_-.@".contains(c))
        {
            problems.push(table.problem(
                row,
                "respondent",
                format!(
                    "{respondent:?} is not a respondent id (letters, digits, _ - . @; at most 100)"
                ),
            ));
        }
        let mut text = |col: &str| {
            AttributeText::parse(col, table.cell(row, col))
                .map(AttributeText::into_string)
                .unwrap_or_else(|e| {
                    problems.push(table.problem(row, col, e));
                    String::new()
                })
        };
        let level = text("level");
        let function = text("function");
        let region = text("region");
        let business_unit = text("business_unit");
        let custom: Vec<(String, String)> = attributes
            .iter()
            .map(|key| (key.clone(), text(key)))
            .collect();
        let item = table.cell(row, "item").trim().to_owned();
        if !template.has_item(&item) {
            problems.push(table.problem(
                row,
                "item",
                format!("{item:?} is not an item of template {:?}", template.id()),
            ));
        }
        let points = template.scale().points();
        let value = Answer::parse_cell(table.cell(row, "value"))
            .and_then(|a| match a {
                Answer::Point(p) if !template.scale().contains(p.get()) => Err(format!(
                    "value {} is outside the scale 1..{points} of template {:?}",
                    p.get(),
                    template.id()
                )),
                a => Ok(a),
            })
            .map_err(|e| problems.push(table.problem(row, "value", e)))
            .ok();
        if problems.len() != before {
            continue;
        }
        let (wave, side, value) = (
            wave.expect("checked"),
            side.expect("checked"),
            value.expect("checked"),
        );

        match sides.get(&respondent) {
            Some((s, first)) if *s != side => {
                problems.push(table.problem(
                    row,
                    "firm",
                    format!(
                        "respondent {respondent} is a {s} respondent on line {first}, not a {side} one"
                    ),
                ));
                continue;
            }
            Some(_) => {}
            None => {
                sides.insert(respondent.clone(), (side, row.line));
            }
        }
        let key = (wave, respondent.clone(), item.clone());
        if let Some(first) = answered.get(&key) {
            problems.push(table.problem(
                row,
                "item",
                format!(
                    "respondent {respondent} already answered {item:?} in wave {wave} on line {first}"
                ),
            ));
            continue;
        }
        answered.insert(key, row.line);
        let response = responses
            .entry((wave, respondent.clone()))
            .or_insert_with(|| HistoricResponse {
                wave,
                respondent: respondent.clone(),
                side,
                level: level.clone(),
                function: function.clone(),
                region: region.clone(),
                business_unit: business_unit.clone(),
                attributes: custom.clone(),
                answers: Vec::new(),
                line: row.line,
            });
        let fixed = [
            ("level", &level, &response.level),
            ("function", &function, &response.function),
            ("region", &region, &response.region),
            ("business_unit", &business_unit, &response.business_unit),
        ];
        let customs = custom
            .iter()
            .zip(&response.attributes)
            .map(|((key, mine), (_, theirs))| (key.as_str(), mine, theirs));
        for (col, mine, theirs) in fixed.into_iter().chain(customs) {
            if !mine.eq_ignore_ascii_case(theirs) {
                problems.push(table.problem(
                    row,
                    col,
                    format!(
                        "respondent {respondent} has {col} {mine:?} here but {theirs:?} on line {} of the same wave",
                        response.line
                    ),
                ));
            }
        }
        response.answers.push((item, value));
    }
    if problems.is_empty() && responses.is_empty() {
        problems.push(ImportProblem {
            line: 1,
            column: None,
            message: "the file has a header but no answers".into(),
        });
    }
    if problems.is_empty() {
        Ok(responses.into_values().collect())
    } else {
        problems.sort_by_key(|p| (p.line, p.column));
        Err(problems)
    }
}

/// Parses `bytes` and stores them as closed waves of the partnership, in one transaction.
/// A wave number the partnership already has is refused: history is added, never merged.
pub fn import(
    conn: &mut Conn,
    partnership_id: i64,
    template: &SurveyTemplate,
    bytes: &[u8],
) -> Result<HistorySummary, ImportError> {
    import_into_series(conn, partnership_id, None, template, bytes)
}

/// [`import`] into one survey series of the partnership (`None`: its main series). Wave
/// numbers are the partnership's, across its series: a number another series has used is
/// refused like any existing wave.
pub fn import_into_series(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
    template: &SurveyTemplate,
    bytes: &[u8],
) -> Result<HistorySummary, ImportError> {
    conn.write_transaction(|conn| {
        let declared = db::attributes::list(conn, partnership_id)?;
        let keys: Vec<String> = declared.iter().map(|d| d.key.clone()).collect();
        let parsed = parse_with(bytes, template, &keys).map_err(ImportError::Invalid)?;
        let ids: HashMap<String, i64> = declared.into_iter().map(|d| (d.key, d.id)).collect();
        apply(conn, partnership_id, series_id, template, &parsed, &ids)
    })
}

fn apply(
    conn: &mut Conn,
    partnership_id: i64,
    series_id: Option<i64>,
    template: &SurveyTemplate,
    parsed: &[HistoricResponse],
    attribute_ids: &HashMap<String, i64>,
) -> Result<HistorySummary, ImportError> {
    let now = db::now();
    let mut problems = Vec::new();
    let existing_waves: HashMap<i64, i64> = waves::for_partnership(conn, partnership_id)?
        .into_iter()
        .map(|w| (w.seq, w.id))
        .collect();
    let mut first_line: BTreeMap<i64, u64> = BTreeMap::new();
    for r in parsed {
        let l = first_line.entry(r.wave).or_insert(r.line);
        *l = (*l).min(r.line);
    }
    for (wave, line) in &first_line {
        if existing_waves.contains_key(wave) {
            problems.push(ImportProblem {
                line: *line,
                column: Some(1),
                message: format!(
                    "wave: wave {wave} already exists for this partnership; a historic import only adds new waves"
                ),
            });
        }
    }
    let mut persons: HashMap<String, Person> = people::for_partnership(conn, partnership_id)?
        .into_iter()
        .filter_map(|p| p.external_ref.clone().map(|r| (r, p)))
        .collect();
    for r in parsed {
        if let Some(p) = persons.get(&r.respondent) {
            if p.side != r.side.as_str() {
                problems.push(ImportProblem {
                    line: r.line,
                    column: Some(2),
                    message: format!(
                        "firm: respondent {} is already stored as a {} respondent",
                        r.respondent, p.side
                    ),
                });
            }
        }
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| (p.line, p.column));
        problems.dedup();
        return Err(ImportError::Invalid(problems));
    }

    let version = template_versions::ensure(conn, template)?;
    let mut wave_ids = HashMap::new();
    let mut summary = HistorySummary::default();
    for wave in first_line.keys() {
        let w = waves::insert(
            conn,
            &NewWave {
                series_id,
                partnership_id,
                seq: *wave,
                template_version_id: version.id,
                state: "closed",
                opens_at: now,
                closes_at: now,
                reminder_days: "",
                opened_at: Some(now),
                closed_at: Some(now),
                imported: true,
                slot_at: None,
                created_at: now,
            },
        )?;
        wave_ids.insert(*wave, w.id);
        summary.waves_created.push(*wave);
    }
    for r in parsed {
        let person_id = match persons.get(&r.respondent) {
            Some(p) => p.id,
            None => {
                let p = people::insert(
                    conn,
                    &NewPerson {
                        partnership_id,
                        side: r.side.as_str(),
                        email: None,
                        external_ref: Some(&r.respondent),
                        name: "",
                        level: &r.level,
                        function: &r.function,
                        region: &r.region,
                        roles: "",
                        // A pseudonym from a spreadsheet has no address: never invited.
                        active: false,
                        created_at: now,
                        updated_at: now,
                        language: None,
                        business_unit: &r.business_unit,
                    },
                )?;
                summary.respondents += 1;
                let id = p.id;
                persons.insert(r.respondent.clone(), p);
                id
            }
        };
        let wave_id = wave_ids[&r.wave];
        let invitation = responses::insert_linkless_invitation(conn, wave_id, person_id, now)?;
        let response = responses::insert_response(
            conn,
            invitation,
            wave_id,
            &Snapshot {
                side: r.side,
                level: &r.level,
                function: &r.function,
                region: &r.region,
                business_unit: &r.business_unit,
                // A spreadsheet's history does not say which language anyone answered in.
                language: "",
            },
            now,
        )?;
        let values: Vec<(i64, &str)> = r
            .attributes
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(k, v)| attribute_ids.get(k).map(|id| (*id, v.as_str())))
            .collect();
        db::attributes::insert_response_values(conn, response, &values)?;
        let answers: Vec<(&str, Answer)> =
            r.answers.iter().map(|(i, a)| (i.as_str(), *a)).collect();
        responses::insert_answers(conn, response, &answers)?;
        summary.responses += 1;
        summary.answers += answers.len();
        summary.dont_know += answers
            .iter()
            .filter(|(_, a)| *a == Answer::DontKnow)
            .count();
    }
    for wave_id in wave_ids.values() {
        crate::reports::aggregate::rebuild_wave_with_template(conn, *wave_id, template)?;
        // Historic waves arrive closed: unlinked at once, like a wave closing in Tandem.
        responses::unlink_wave(conn, *wave_id)?;
    }
    Ok(summary)
}
