//! Respondents' answers through their personal link: look the link up, check the wave is
//! still open, validate the answers against the exact template version of the wave, and
//! store them — a second submission replaces the first, never adds a second response.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;

use crate::db::invitations::{self, LinkTarget};
use crate::db::models::AnswerRow;
use crate::db::responses::Snapshot;
use crate::db::schema::{answers, comments, people, responses};
use crate::db::{self, template_versions, Conn};
use crate::domain::{Answer, Language, Side};
use crate::secrets;
use crate::survey_templates::SurveyTemplate;

/// Longest comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 4000;

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Unknown, malformed or revoked link: never says which.
    #[error("there is no survey at this link")]
    NotFound,
    #[error("this survey closed on {0}")]
    Closed(String),
    #[error("some answers need attention")]
    Invalid(Vec<AnswerProblem>),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] DieselError),
}

/// One problem with one answer (or with the submission as a whole when `item` is None).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AnswerProblem {
    pub item: Option<String>,
    pub message: String,
    /// What is wrong, for pages that say it in the respondent's language; `message` is the
    /// English the API returns.
    #[serde(skip)]
    pub reason: AnswerReason,
}

/// Why an answer was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerReason {
    UnknownItem,
    UnknownQuestion,
    Twice,
    Missing,
    Nul,
    TooLong {
        max: usize,
    },
    /// A point beyond the template's scale of `points` points.
    OffScale {
        points: u8,
    },
}

/// What a respondent sent, before checking it against the template.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub answers: Vec<(String, Answer)>,
    pub comments: Vec<(String, String)>,
}

/// An opened link: the invitation, its wave, the template the wave uses.
pub struct OpenLink {
    pub target: LinkTarget,
    pub template: Arc<SurveyTemplate>,
    pub side: Side,
    pub customer_firm: String,
    pub supplier_firm: String,
    /// The stored answers when the person comes back.
    pub previous: Option<Submission>,
    /// What the person reads: their own language, else the partnership's default.
    pub language: Language,
}

/// A token of the right shape: 32 URL-safe base64 characters. Anything else is not looked up.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Stored template versions parsed once per process, keyed by version. A version is the
/// SHA-256 of its body, so an entry can never go stale, and the same key means the same
/// template whichever database it came from; parsing TOML and re-hashing on every
/// submission was the largest cost of the submission path. The link lookup returns the
/// version with the link, so the body is only read (one query) on a miss.
pub(crate) fn parsed_template(
    conn: &mut Conn,
    version: &str,
    version_id: i64,
) -> Result<Arc<SurveyTemplate>, SubmitError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<SurveyTemplate>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(t) = cache
        .lock()
        .map_err(|_| SubmitError::Corrupt("template cache poisoned".into()))?
        .get(version)
    {
        return Ok(Arc::clone(t));
    }
    let stored = template_versions::get(conn, version_id)?;
    let parsed = Arc::new(
        SurveyTemplate::from_stored(&stored.version, &stored.body)
            .map_err(|e| SubmitError::Corrupt(e.to_string()))?,
    );
    cache
        .lock()
        .map_err(|_| SubmitError::Corrupt("template cache poisoned".into()))?
        .insert(stored.version, Arc::clone(&parsed));
    Ok(parsed)
}

/// The invitation behind a token, its wave's template and the person's side; `NotFound` and
/// `Closed` as for submitting.
fn resolve(
    conn: &mut Conn,
    token: &str,
    now: NaiveDateTime,
) -> Result<(LinkTarget, Arc<SurveyTemplate>, Side), SubmitError> {
    if !plausible_token(token) {
        return Err(SubmitError::NotFound);
    }
    let target = invitations::find_by_token_hash(conn, &secrets::hash(token))?
        .ok_or(SubmitError::NotFound)?;
    if target.wave.state != "open" || target.wave.closes_at <= now {
        return Err(SubmitError::Closed(crate::waves::schedule::local_deadline(
            closed_at(&target),
            &target.partnership.timezone,
        )));
    }
    let template = parsed_template(
        conn,
        &target.template_version,
        target.wave.template_version_id,
    )?;
    let side: Side = target.person.side.parse().map_err(SubmitError::Corrupt)?;
    Ok((target, template, side))
}

/// Finds what a link leads to, with the firms' names and any earlier answers, for the form.
pub fn open_link(
    conn: &mut Conn,
    token: &str,
    now: NaiveDateTime,
) -> Result<OpenLink, SubmitError> {
    let (target, template, side) = resolve(conn, token, now)?;
    let firms = db::firms::get_many(
        conn,
        &[
            target.partnership.customer_firm_id,
            target.partnership.supplier_firm_id,
        ],
    )?;
    let name = |id| {
        firms
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    };
    let previous = previous_answers(conn, target.invitation.id)?;
    let language = language_of(&target)?;
    Ok(OpenLink {
        language,
        customer_firm: name(target.partnership.customer_firm_id),
        supplier_firm: name(target.partnership.supplier_firm_id),
        target,
        template,
        side,
        previous,
    })
}

/// The language of the person a link belongs to, whatever the state of its wave (for the
/// thanks, opt-out and closed pages); `None` for a link that leads nowhere.
pub fn link_language(conn: &mut Conn, token: &str) -> Result<Option<Language>, SubmitError> {
    if !plausible_token(token) {
        return Ok(None);
    }
    match invitations::find_by_token_hash(conn, &secrets::hash(token))? {
        Some(target) => Ok(Some(language_of(&target)?)),
        None => Ok(None),
    }
}

/// When a link's wave stopped taking answers: when it was closed, or its deadline if earlier.
fn closed_at(target: &LinkTarget) -> NaiveDateTime {
    target
        .wave
        .closed_at
        .unwrap_or(target.wave.closes_at)
        .min(target.wave.closes_at)
}

/// A link whose wave may have closed, as its person reads it: their language, when the wave
/// closed (stored UTC) and the partnership's timezone; `None` for a link that leads nowhere.
pub fn closed_link(
    conn: &mut Conn,
    token: &str,
) -> Result<Option<(Language, NaiveDateTime, String)>, SubmitError> {
    if !plausible_token(token) {
        return Ok(None);
    }
    match invitations::find_by_token_hash(conn, &secrets::hash(token))? {
        Some(target) => Ok(Some((
            language_of(&target)?,
            closed_at(&target),
            target.partnership.timezone.clone(),
        ))),
        None => Ok(None),
    }
}

/// The person's own language, else the partnership's default (read with the link).
fn language_of(target: &LinkTarget) -> Result<Language, SubmitError> {
    let parse = |code: &str| code.parse::<Language>().map_err(SubmitError::Corrupt);
    let own = target.person.language.as_deref().map(parse).transpose()?;
    let default = match target.default_language.as_deref() {
        Some(code) => parse(code)?,
        None => Language::En,
    };
    Ok(Language::for_respondent(own, default))
}

fn previous_answers(
    conn: &mut Conn,
    invitation_id: i64,
) -> Result<Option<Submission>, SubmitError> {
    let Some(response_id) = responses::table
        .filter(responses::invitation_id.eq(invitation_id))
        .select(responses::id)
        .first::<i64>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let rows: Vec<AnswerRow> = answers::table
        .filter(answers::response_id.eq(response_id))
        .select(AnswerRow::as_select())
        .load(conn)?;
    let mut s = Submission::default();
    for r in rows {
        s.answers.push((
            r.item_id,
            Answer::from_db(r.value).map_err(SubmitError::Corrupt)?,
        ));
    }
    s.comments = comments::table
        .filter(comments::response_id.eq(response_id))
        .select((comments::question_id, comments::body))
        .load(conn)?;
    Ok(Some(s))
}

/// Checks a submission against the wave's template: every item answered once (a scale point
/// or don't know), no unknown item, comments only for the template's open questions.
pub fn validate(template: &SurveyTemplate, s: &Submission) -> Result<(), Vec<AnswerProblem>> {
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let scale = template.scale();
    for (item, answer) in &s.answers {
        if let Answer::Point(point) = answer {
            if !scale.contains(point.get()) {
                problems.push(AnswerProblem {
                    item: Some(item.clone()),
                    message: format!(
                        "{} is outside the scale of this survey (1 to {}, or don't know)",
                        point.get(),
                        scale.points()
                    ),
                    reason: AnswerReason::OffScale {
                        points: scale.points(),
                    },
                });
                continue;
            }
        }
        if !template.has_item(item) {
            problems.push(AnswerProblem {
                item: Some(item.clone()),
                message: format!("{item:?} is not a question of this survey"),
                reason: AnswerReason::UnknownItem,
            });
        } else if !seen.insert(item.as_str()) {
            problems.push(AnswerProblem {
                item: Some(item.clone()),
                message: format!("{item:?} is answered twice"),
                reason: AnswerReason::Twice,
            });
        }
    }
    for item in template.items() {
        if !seen.contains(item.id()) {
            problems.push(AnswerProblem {
                item: Some(item.id().to_owned()),
                message: "Please choose an answer, or “don't know”.".into(),
                reason: AnswerReason::Missing,
            });
        }
    }
    let mut seen_q = std::collections::HashSet::new();
    for (q, body) in &s.comments {
        if template.open_question(q).is_none() {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!("{q:?} is not an open question of this survey"),
                reason: AnswerReason::UnknownQuestion,
            });
        } else if !seen_q.insert(q.as_str()) {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!("{q:?} is answered twice"),
                reason: AnswerReason::Twice,
            });
        } else if body.contains('\0') {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!("This answer {}.", crate::domain::NUL_REFUSED),
                reason: AnswerReason::Nul,
            });
        } else if body.chars().count() > MAX_COMMENT_CHARS {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!(
                    "Please shorten this answer to at most {MAX_COMMENT_CHARS} characters."
                ),
                reason: AnswerReason::TooLong {
                    max: MAX_COMMENT_CHARS,
                },
            });
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Stores a submission through a link. Returns true when it replaced an earlier one.
///
/// Queries: one for the link (with its wave, person, partnership and template version),
/// then on PostgreSQL one statement that stores everything (round trips are the cost
/// there), on SQLite a transaction of two statements (the response row upserted, the
/// answers upserted) plus the comments when the template has open questions.
pub fn submit(
    conn: &mut Conn,
    token: &str,
    s: &Submission,
    now: NaiveDateTime,
) -> Result<bool, SubmitError> {
    let (target, template, side) = resolve(conn, token, now)?;
    validate(&template, s).map_err(SubmitError::Invalid)?;
    if let Conn::Postgres(pg) = conn {
        let row = batch_row(&target, side, s, now);
        let stored = db::responses::store_many_on_postgres(pg, std::slice::from_ref(&row))?
            .pop()
            .unwrap_or(db::responses::Stored::NotWritten);
        if let db::responses::Stored::Done { replaced } = stored {
            return Ok(replaced);
        }
        // Nothing written: the wave closed since the lookup (looking again says so), or
        // another submission of this link committed meanwhile; the transactional path
        // below then stores this one after it.
        resolve(conn, token, now)?;
    }
    store(conn, &target, &template, side, s, now)
}

/// A validated submission as a row of the PostgreSQL submission statement (comments
/// trimmed; empty ones left out, which removes their earlier text).
pub(crate) fn batch_row<'a>(
    target: &'a LinkTarget,
    side: Side,
    s: &'a Submission,
    at: NaiveDateTime,
) -> db::responses::BatchRow<'a> {
    db::responses::BatchRow {
        invitation_id: target.invitation.id,
        wave_id: target.wave.id,
        snapshot: snapshot(target, side),
        at,
        answers: s.answers.iter().map(|(i, a)| (i.as_str(), *a)).collect(),
        comments: s
            .comments
            .iter()
            .map(|(q, b)| (q.as_str(), b.trim()))
            .filter(|(_, b)| !b.is_empty())
            .collect(),
    }
}

/// The segment snapshot: the person as read with the link a moment ago, i.e. the segment
/// attributes as they are when first answering (kept as they are on a re-submission).
fn snapshot(target: &LinkTarget, side: Side) -> Snapshot<'_> {
    Snapshot {
        side,
        level: &target.person.level,
        function: &target.person.function,
        region: &target.person.region,
        business_unit: &target.person.business_unit,
        // The database's CHECK keeps stored codes valid; the form page resolved the same
        // language from the same row before the answers came.
        language: language_of(target).map_or("", Language::code),
    }
}

fn store(
    conn: &mut Conn,
    target: &LinkTarget,
    template: &SurveyTemplate,
    side: Side,
    s: &Submission,
    now: NaiveDateTime,
) -> Result<bool, SubmitError> {
    conn.write_transaction(|conn| {
        // The upsert comes first: on PostgreSQL it locks the response row, so two
        // submissions of one link queue.
        let (response_id, replaced) = db::responses::upsert_response(
            conn,
            target.invitation.id,
            target.wave.id,
            &snapshot(target, side),
            now,
        )?;
        // A response keeps the custom attributes it was first given under.
        if !replaced {
            db::attributes::snapshot_response(conn, response_id, target.invitation.id)?;
        }
        let items: Vec<(&str, Answer)> = s.answers.iter().map(|(i, a)| (i.as_str(), *a)).collect();
        db::responses::upsert_answers(conn, response_id, &items)?;
        // Comments can only exist for templates with open questions; an optional one left
        // out on re-submission must not keep its earlier text.
        if replaced && !template.open_questions().is_empty() {
            db::responses::delete_comments(conn, response_id)?;
        }
        for (q, body) in &s.comments {
            let body = body.trim();
            if !body.is_empty() {
                db::responses::insert_comment(conn, response_id, q, body)?;
            }
        }
        Ok(replaced)
    })
}

/// Stops future invitations for the person behind a link (the link itself keeps working
/// until its wave closes). Works on closed waves too: opting out must always be possible.
pub fn opt_out(conn: &mut Conn, token: &str, now: NaiveDateTime) -> Result<(), SubmitError> {
    if !plausible_token(token) {
        return Err(SubmitError::NotFound);
    }
    let target = invitations::find_by_token_hash(conn, &secrets::hash(token))?
        .ok_or(SubmitError::NotFound)?;
    diesel::update(
        people::table
            .filter(people::id.eq(target.person.id))
            .filter(people::opted_out_at.is_null()),
    )
    .set(people::opted_out_at.eq(Some(now)))
    .execute(conn)?;
    Ok(())
}
