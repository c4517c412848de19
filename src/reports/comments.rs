//! The open answers ("comments") of one wave, as managers may read them.
//!
//! Confidentiality: a firm's comments of a wave are shown only when at least the
//! partnership's `min_comment_size` people of that firm answered the wave (never fewer than
//! the minimum reporting size: the database checks `min_comment_size >=
//! min_reporting_size`). They are shown for the whole firm only — never with a level,
//! function or region, which could narrow the group below the minimum — and sorted by their
//! text, so their order says nothing about who answered when. A withheld firm's comments are
//! not counted either.

use diesel::prelude::*;

use crate::db::schema::{comments, partnerships, responses, waves};
use crate::db::Conn;
use crate::domain::Side;

/// One firm's comments of a wave.
#[derive(Debug, Clone, PartialEq)]
pub struct SideComments {
    pub side: Side,
    /// Why they are not shown; `None` when shown.
    pub withheld: Option<String>,
    /// Per open question (template order is the caller's business): the comments, sorted.
    pub by_question: Vec<(String, Vec<String>)>,
}

/// The comments of wave `seq` for `sides`; `None` when the partnership has no such wave.
pub fn for_wave(
    conn: &mut Conn,
    partnership_id: i64,
    seq: i64,
    sides: &[Side],
) -> QueryResult<Option<Vec<SideComments>>> {
    let Some((wave_id, state)) = waves::table
        .filter(waves::partnership_id.eq(partnership_id))
        .filter(waves::seq.eq(seq))
        .select((waves::id, waves::state))
        .first::<(i64, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let min: i64 = partnerships::table
        .find(partnership_id)
        .select(partnerships::min_comment_size)
        .first(conn)?;
    let counts: Vec<(String, i64)> = responses::table
        .filter(responses::wave_id.eq(wave_id))
        .group_by(responses::side)
        .select((responses::side, diesel::dsl::count_star()))
        .load(conn)?;
    let mut out = Vec::new();
    for &side in sides {
        let answered = counts
            .iter()
            .find(|(s, _)| s == side.as_str())
            .map_or(0, |c| c.1);
        if state != "closed" {
            out.push(SideComments {
                side,
                withheld: Some(crate::i18n::en("withheld-comments-open")),
                by_question: Vec::new(),
            });
            continue;
        }
        if answered < min {
            out.push(SideComments {
                side,
                withheld: Some(crate::i18n::en1("withheld-comments-few", "min", min)),
                by_question: Vec::new(),
            });
            continue;
        }
        let mut rows: Vec<(String, String)> = comments::table
            .inner_join(responses::table)
            .filter(responses::wave_id.eq(wave_id))
            .filter(responses::side.eq(side.as_str()))
            .select((comments::question_id, comments::body))
            .load(conn)?;
        rows.sort();
        let mut by_question: Vec<(String, Vec<String>)> = Vec::new();
        for (q, body) in rows {
            match by_question.last_mut() {
                Some((last, bodies)) if *last == q => bodies.push(body),
                _ => by_question.push((q, vec![body])),
            }
        }
        out.push(SideComments {
            side,
            withheld: None,
            by_question,
        });
    }
    Ok(Some(out))
}
