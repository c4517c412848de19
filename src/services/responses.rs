//! Respondents' answers through their personal link: look the link up, check the wave is
//! still open, validate the answers against the exact template version of the wave, and
//! store them — a second submission replaces the first, never adds a second response.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDateTime;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{prelude::*, Connection};

use crate::db::invitations::{self, LinkTarget};
use crate::db::models::AnswerRow;
use crate::db::responses::Snapshot;
use crate::db::schema::invitations as invitation_rows;
use crate::db::schema::{answers, comments, people, responses};
use crate::db::{self, template_versions, Conn};
use crate::domain::{Answer, Side};
use crate::secrets;
use crate::templates::SurveyTemplate;

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
}

/// A token of the right shape: 32 URL-safe base64 characters. Anything else is not looked up.
pub fn plausible_token(token: &str) -> bool {
    token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Stored template versions parsed once per process. A version is the SHA-256 of its body,
/// so an entry can never go stale; parsing TOML and re-hashing on every submission was the
/// largest cost of the submission path.
fn parsed_template(version: &str, body: &str) -> Result<Arc<SurveyTemplate>, SubmitError> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<SurveyTemplate>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(t) = cache
        .lock()
        .map_err(|_| SubmitError::Corrupt("template cache poisoned".into()))?
        .get(version)
    {
        return Ok(Arc::clone(t));
    }
    let parsed = Arc::new(
        SurveyTemplate::from_stored(version, body)
            .map_err(|e| SubmitError::Corrupt(e.to_string()))?,
    );
    cache
        .lock()
        .map_err(|_| SubmitError::Corrupt("template cache poisoned".into()))?
        .insert(version.to_owned(), Arc::clone(&parsed));
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
        let closed_at = target
            .wave
            .closed_at
            .unwrap_or(target.wave.closes_at)
            .min(target.wave.closes_at);
        return Err(SubmitError::Closed(crate::waves::schedule::local_deadline(
            closed_at,
            &target.partnership.timezone,
        )));
    }
    let version = template_versions::get(conn, target.wave.template_version_id)?;
    let template = parsed_template(&version.version, &version.body)?;
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
    Ok(OpenLink {
        customer_firm: name(target.partnership.customer_firm_id),
        supplier_firm: name(target.partnership.supplier_firm_id),
        target,
        template,
        side,
        previous,
    })
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
    for (item, _) in &s.answers {
        if !template.has_item(item) {
            problems.push(AnswerProblem {
                item: Some(item.clone()),
                message: format!("{item:?} is not a question of this survey"),
            });
        } else if !seen.insert(item.as_str()) {
            problems.push(AnswerProblem {
                item: Some(item.clone()),
                message: format!("{item:?} is answered twice"),
            });
        }
    }
    for item in template.items() {
        if !seen.contains(item.id()) {
            problems.push(AnswerProblem {
                item: Some(item.id().to_owned()),
                message: "Please choose an answer, or “don't know”.".into(),
            });
        }
    }
    let mut seen_q = std::collections::HashSet::new();
    for (q, body) in &s.comments {
        if template.open_question(q).is_none() {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!("{q:?} is not an open question of this survey"),
            });
        } else if !seen_q.insert(q.as_str()) {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!("{q:?} is answered twice"),
            });
        } else if body.chars().count() > MAX_COMMENT_CHARS {
            problems.push(AnswerProblem {
                item: Some(q.clone()),
                message: format!(
                    "Please shorten this answer to at most {MAX_COMMENT_CHARS} characters."
                ),
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
pub fn submit(
    conn: &mut Conn,
    token: &str,
    s: &Submission,
    now: NaiveDateTime,
) -> Result<bool, SubmitError> {
    let (target, template, side) = resolve(conn, token, now)?;
    validate(&template, s).map_err(SubmitError::Invalid)?;
    match store(conn, &target, side, s, now) {
        // Two first submissions raced; the loser becomes an update of the winner's row.
        Err(SubmitError::Database(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            _,
        ))) => store(conn, &target, side, s, now),
        other => other,
    }
}

fn store(
    conn: &mut Conn,
    target: &LinkTarget,
    side: Side,
    s: &Submission,
    now: NaiveDateTime,
) -> Result<bool, SubmitError> {
    conn.transaction(|conn| {
        // Write first: on SQLite a transaction that reads and then writes cannot upgrade its
        // lock when another writer committed meanwhile ("database is locked" at once, busy
        // timeout or not); a write as the first statement waits for the lock instead. On
        // PostgreSQL it locks the invitation row, so two submissions of one link queue.
        diesel::update(invitation_rows::table.find(target.invitation.id))
            .set(invitation_rows::reminders_sent.eq(invitation_rows::reminders_sent))
            .execute(conn)?;
        let existing: Option<i64> = responses::table
            .filter(responses::invitation_id.eq(target.invitation.id))
            .select(responses::id)
            .first(conn)
            .optional()?;
        let (response_id, replaced) = match existing {
            Some(id) => {
                diesel::delete(answers::table.filter(answers::response_id.eq(id))).execute(conn)?;
                diesel::delete(comments::table.filter(comments::response_id.eq(id)))
                    .execute(conn)?;
                diesel::update(responses::table.find(id))
                    .set(responses::updated_at.eq(now))
                    .execute(conn)?;
                (id, true)
            }
            None => {
                // The segment snapshot: the person's attributes as they are when first answering.
                let person = people::table
                    .find(target.person.id)
                    .select(crate::db::models::Person::as_select())
                    .first(conn)?;
                let id = db::responses::insert_response(
                    conn,
                    target.invitation.id,
                    target.wave.id,
                    &Snapshot {
                        side,
                        level: &person.level,
                        function: &person.function,
                        region: &person.region,
                    },
                    now,
                )?;
                (id, false)
            }
        };
        let items: Vec<(&str, Answer)> = s.answers.iter().map(|(i, a)| (i.as_str(), *a)).collect();
        db::responses::insert_answers(conn, response_id, &items)?;
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
