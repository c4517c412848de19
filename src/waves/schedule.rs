//! When waves open: pure date arithmetic over a partnership's cadence, in its timezone.

use chrono::{Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;

use crate::domain::Cadence;

/// A partnership's survey rhythm.
#[derive(Debug, Clone)]
pub struct Plan {
    pub cadence: Cadence,
    pub first_wave_on: NaiveDate,
    pub send_time: NaiveTime,
    pub timezone: Tz,
    pub window_days: i64,
}

/// One scheduled opening, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub index: u32,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
}

impl Plan {
    /// The local date of slot `k` (0 = the first wave).
    fn date(&self, k: u32) -> Option<NaiveDate> {
        match self.cadence {
            Cadence::Monthly => self.first_wave_on.checked_add_months(Months::new(k)),
            Cadence::Quarterly => self.first_wave_on.checked_add_months(Months::new(3 * k)),
            Cadence::HalfYearly => self.first_wave_on.checked_add_months(Months::new(6 * k)),
            Cadence::EveryDays(n) => self
                .first_wave_on
                .checked_add_days(Days::new(u64::from(n) * u64::from(k))),
        }
    }

    /// Slot `k` in UTC. On the night a clock springs forward, a send time that does not exist
    /// locally moves to the first instant after the gap.
    pub fn slot(&self, k: u32) -> Option<Slot> {
        let local = self.date(k)?.and_time(self.send_time);
        let opens = match self.timezone.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) => t,
            chrono::LocalResult::Ambiguous(early, _) => early,
            chrono::LocalResult::None => self
                .timezone
                .from_local_datetime(&(local + chrono::TimeDelta::hours(1)))
                .earliest()?,
        }
        .naive_utc();
        Some(Slot {
            index: k,
            opens_at: opens,
            closes_at: opens + chrono::TimeDelta::days(self.window_days),
        })
    }

    /// The slot whose window contains `now`, if any: the latest slot that has opened and not
    /// yet closed. A slot missed entirely (the service was down for its whole window) is
    /// skipped rather than opened already closed.
    pub fn due(&self, now: NaiveDateTime) -> Option<Slot> {
        let mut latest = None;
        for k in 0..=10_000 {
            let slot = self.slot(k)?;
            if slot.opens_at > now {
                break;
            }
            latest = Some(slot);
        }
        latest.filter(|s| s.closes_at > now)
    }

    /// The slots missed entirely before `now`: every slot opening strictly after `after` (the
    /// latest slot a wave was opened for; `None` counts from the first slot) whose whole
    /// window has passed (`closes_at <= now`, the same boundary at which [`Plan::due`] stops
    /// offering a slot). These are the slots `due` skips; the caller reports them.
    pub fn missed_between(&self, after: Option<NaiveDateTime>, now: NaiveDateTime) -> Vec<Slot> {
        let mut missed = Vec::new();
        for k in 0..=10_000 {
            let Some(slot) = self.slot(k) else { break };
            if slot.opens_at > now {
                break;
            }
            if after.is_none_or(|a| slot.opens_at > a) && slot.closes_at <= now {
                missed.push(slot);
            }
        }
        missed
    }

    /// The first slot whose window has not yet passed at `now`: the one open now, or else
    /// the next to open.
    pub fn next_from(&self, now: NaiveDateTime) -> Option<Slot> {
        (0..=10_000)
            .map_while(|k| self.slot(k))
            .find(|s| s.closes_at > now)
    }
}

/// "Friday 5 December 2026, 09:00 (Europe/Paris)".
pub fn local_deadline(at_utc: NaiveDateTime, timezone: &str) -> String {
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let local = at_utc.and_utc().with_timezone(&tz);
    format!("{} ({})", local.format("%A %-d %B %Y, %H:%M"), tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(cadence: Cadence, tz: Tz) -> Plan {
        Plan {
            cadence,
            first_wave_on: NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            send_time: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            timezone: tz,
            window_days: 10,
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn slots_follow_the_cadence_in_local_time() {
        let p = plan(Cadence::Quarterly, chrono_tz::Europe::Paris);
        assert_eq!(p.slot(0).unwrap().opens_at, at("2026-01-31 08:00"));
        // month ends clamp: 31 January + 3 months = 30 April; Paris is UTC+2 in summer
        assert_eq!(p.slot(1).unwrap().opens_at, at("2026-04-30 07:00"));
        let h = plan(Cadence::HalfYearly, chrono_tz::UTC);
        // 31 January + 6 months = 31 July; + 12 months = 31 January next year
        assert_eq!(h.slot(1).unwrap().opens_at, at("2026-07-31 09:00"));
        assert_eq!(h.slot(2).unwrap().opens_at, at("2027-01-31 09:00"));
        let m = plan(Cadence::EveryDays(14), chrono_tz::UTC);
        assert_eq!(m.slot(2).unwrap().opens_at, at("2026-02-28 09:00"));
    }

    #[test]
    fn the_due_slot_is_the_open_window_and_missed_windows_are_skipped() {
        let p = plan(Cadence::Monthly, chrono_tz::UTC);
        assert_eq!(p.due(at("2026-01-31 08:59")), None);
        assert_eq!(p.due(at("2026-01-31 09:00")).unwrap().index, 0);
        assert_eq!(p.due(at("2026-02-09 12:00")).unwrap().index, 0);
        assert_eq!(p.due(at("2026-02-15 12:00")), None, "between windows");
        // after months of downtime, only the current window opens, once
        assert_eq!(p.due(at("2026-06-01 12:00")).unwrap().index, 4);
    }

    fn indexes(slots: &[Slot]) -> Vec<u32> {
        slots.iter().map(|s| s.index).collect()
    }

    #[test]
    fn nothing_is_missed_while_the_first_window_is_open_or_between_windows_after_it_opened() {
        let p = plan(Cadence::Monthly, chrono_tz::UTC);
        assert!(p.missed_between(None, at("2026-01-31 08:59")).is_empty());
        assert!(p.missed_between(None, at("2026-02-05 12:00")).is_empty());
        let opened = Some(at("2026-01-31 09:00"));
        assert!(p.missed_between(opened, at("2026-02-20 12:00")).is_empty());
    }

    #[test]
    fn a_slot_whose_window_ends_exactly_now_is_missed_and_one_still_open_is_not() {
        let p = plan(Cadence::Monthly, chrono_tz::UTC);
        let opened = Some(at("2026-01-31 09:00"));
        // slot 1 opens 28 February 09:00 (clamped) and closes 10 days later
        assert!(p.missed_between(opened, at("2026-03-10 08:59")).is_empty());
        assert_eq!(p.due(at("2026-03-10 08:59")).unwrap().index, 1);
        let missed = p.missed_between(opened, at("2026-03-10 09:00"));
        assert_eq!(indexes(&missed), vec![1]);
        assert_eq!(missed[0].opens_at, at("2026-02-28 09:00"));
        assert_eq!(p.due(at("2026-03-10 09:00")), None);
    }

    #[test]
    fn after_months_of_downtime_every_skipped_slot_is_missed_but_not_the_current_one() {
        let p = plan(Cadence::Monthly, chrono_tz::UTC);
        let now = at("2026-06-01 12:00");
        let missed = p.missed_between(Some(at("2026-01-31 09:00")), now);
        assert_eq!(indexes(&missed), vec![1, 2, 3]);
        assert_eq!(p.due(now).unwrap().index, 4);
        assert_eq!(p.next_from(now).unwrap().index, 4);
        // never opened at all: the first slot counts too
        assert_eq!(indexes(&p.missed_between(None, now)), vec![0, 1, 2, 3]);
        // between windows, the next slot is the one still to open
        assert_eq!(p.next_from(at("2026-02-15 12:00")).unwrap().index, 1);
    }

    #[test]
    fn a_send_time_inside_a_dst_gap_moves_after_it() {
        let mut p = plan(Cadence::Monthly, chrono_tz::Europe::Paris);
        p.first_wave_on = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        p.send_time = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert_eq!(p.slot(0).unwrap().opens_at, at("2026-03-29 01:30"));
    }
}
