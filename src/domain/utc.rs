//! Timestamps in the API: stored as naive UTC (both backends share `Timestamp`), written as
//! RFC 3339 with the `Z` the OpenAPI `date-time` format requires, e.g.
//! `2026-12-04T05:05:36.135698Z`. Use with `#[serde(serialize_with = "…")]`.

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serializer;

/// A naive UTC timestamp as RFC 3339 UTC.
pub fn rfc3339<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

/// [`rfc3339`] for an optional timestamp (`null` when absent).
pub fn rfc3339_option<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => rfc3339(t, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize)]
    struct Stamp {
        #[serde(serialize_with = "super::rfc3339")]
        at: chrono::NaiveDateTime,
        #[serde(serialize_with = "super::rfc3339_option")]
        maybe: Option<chrono::NaiveDateTime>,
    }

    #[test]
    fn timestamps_carry_their_utc_zone() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .unwrap()
            .and_hms_micro_opt(5, 5, 36, 135_698)
            .unwrap();
        let json = serde_json::to_string(&Stamp { at, maybe: None }).unwrap();
        assert_eq!(json, r#"{"at":"2026-12-04T05:05:36.135698Z","maybe":null}"#);
        let whole = at.date().and_hms_opt(5, 5, 36).unwrap();
        let json = serde_json::to_string(&Stamp {
            at: whole,
            maybe: Some(whole),
        })
        .unwrap();
        assert_eq!(
            json,
            r#"{"at":"2026-12-04T05:05:36Z","maybe":"2026-12-04T05:05:36Z"}"#
        );
    }
}
