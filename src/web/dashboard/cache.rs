//! What the dashboard derives from a partnership's report — the report restricted to what a
//! viewer may see, the template's labels and the rendered charts — kept per (partnership,
//! visibility) under the partnership's report version.
//!
//! The version is raised in the same transaction as every change the report is built from
//! (`db::partnerships::bump_report_version`), and a request reads it before anything else, so
//! an entry is used only while its data is current; several instances each keep their own
//! cache and stay correct. Building the report takes tens of milliseconds for a long
//! history; with the cache a page costs a version lookup and the template. Flags and goals
//! change on their own and are never cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::view::{self, Labels};
use crate::auth::Visibility;
use crate::goals::store::GoalContext;
use crate::reports::comments::SideComments;
use crate::reports::report::Report;

/// Entries kept before the least recently used is dropped.
const CAPACITY: usize = 128;

/// One partnership as one kind of viewer sees it, at one report version.
pub struct Entry {
    pub version: i64,
    pub report: Report,
    pub labels: Labels,
    /// Rendered on first use: only the dashboard page and its chart exports need it.
    dashboard: OnceLock<Result<view::Dashboard, String>>,
    /// KPI values and the cadence, for judging goals.
    goal_context: OnceLock<Arc<GoalContext>>,
    /// Comments per wave. A closed wave's comments never change (no answer is taken after
    /// the close), and closing a wave raises the report version.
    comments: Mutex<HashMap<i64, Option<Arc<Vec<SideComments>>>>>,
}

impl Entry {
    pub fn new(version: i64, report: Report, labels: Labels) -> Entry {
        Entry {
            version,
            report,
            labels,
            dashboard: OnceLock::new(),
            goal_context: OnceLock::new(),
            comments: Mutex::default(),
        }
    }

    /// The goal context, loaded with `load` on first use.
    pub fn goal_context<E>(
        &self,
        load: impl FnOnce() -> Result<GoalContext, E>,
    ) -> Result<Arc<GoalContext>, E> {
        if let Some(c) = self.goal_context.get() {
            return Ok(Arc::clone(c));
        }
        let c = Arc::new(load()?);
        Ok(Arc::clone(self.goal_context.get_or_init(|| c)))
    }

    /// The comments of wave `seq`, loaded with `load` the first time (`None`: no such wave).
    /// Only closed waves are kept: an open wave's answers still change.
    pub fn comments<E>(
        &self,
        seq: i64,
        load: impl FnOnce() -> Result<Option<Vec<SideComments>>, E>,
    ) -> Result<Option<Arc<Vec<SideComments>>>, E> {
        if let Some(c) = self
            .comments
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&seq)
        {
            return Ok(c.clone());
        }
        let loaded = load()?.map(Arc::new);
        let closed = self.report.waves.iter().any(|w| w.wave == seq);
        if closed {
            self.comments
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(seq, loaded.clone());
        }
        Ok(loaded)
    }

    /// The dashboard view of this entry, built once.
    pub fn dashboard(&self, v: Visibility) -> Result<&view::Dashboard, String> {
        self.dashboard
            .get_or_init(|| {
                view::dashboard(&self.report, &self.labels, v).map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// (partnership, survey series key, visibility): each series has its own report.
type Key = (i64, String, Visibility);

/// The cache; one per running application.
#[derive(Default)]
pub struct DashboardCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tick: u64,
    entries: HashMap<Key, (u64, Arc<Entry>)>,
}

impl DashboardCache {
    /// The entry of the partnership's main series if it was built at `version`.
    pub fn get(&self, partnership: i64, v: Visibility, version: i64) -> Option<Arc<Entry>> {
        self.get_series(partnership, crate::domain::MAIN_SERIES, v, version)
    }

    /// Keeps `entry` as the partnership's main series (see [`DashboardCache::put_series`]).
    pub fn put(&self, partnership: i64, v: Visibility, entry: Arc<Entry>) {
        self.put_series(partnership, crate::domain::MAIN_SERIES, v, entry)
    }

    /// The entry of one series of the partnership if it was built at `version`.
    pub fn get_series(
        &self,
        partnership: i64,
        series: &str,
        v: Visibility,
        version: i64,
    ) -> Option<Arc<Entry>> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        match inner.entries.get_mut(&(partnership, series.to_owned(), v)) {
            Some((used, entry)) if entry.version == version => {
                *used = tick;
                Some(Arc::clone(entry))
            }
            _ => None,
        }
    }

    /// Keeps `entry` unless a newer version is already there; drops the least recently used
    /// entry when full.
    pub fn put_series(&self, partnership: i64, series: &str, v: Visibility, entry: Arc<Entry>) {
        let key: Key = (partnership, series.to_owned(), v);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        if let Some((_, old)) = inner.entries.get(&key) {
            if old.version > entry.version {
                return;
            }
        }
        if inner.entries.len() >= CAPACITY && !inner.entries.contains_key(&key) {
            if let Some(oldest) = inner
                .entries
                .iter()
                .min_by_key(|(_, (used, _))| *used)
                .map(|(k, _)| k.clone())
            {
                inner.entries.remove(&oldest);
            }
        }
        inner.entries.insert(key, (tick, entry));
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Side;
    use crate::reports::report::{InterFirm, PartnershipInfo};

    fn report(id: i64) -> Report {
        Report {
            scale: Default::default(),
            partnership: PartnershipInfo {
                id,
                name: format!("P{id}"),
                customer: "C".into(),
                supplier: "S".into(),
                min_reporting_size: 5,
            },
            wave: None,
            series: "main".into(),
            breakdowns: vec![],
            waves: vec![],
            groups: vec![],
            response_rates: vec![],
            items: vec![],
            dimensions: vec![],
            inter_firm: InterFirm::default(),
            meta_accuracy: Vec::new(),
            icc: vec![],
            trend: vec![],
            lead_lag: vec![],
            change_points: vec![],
            joint: vec![],
            segment_tests: vec![],
            health: vec![],
        }
    }

    fn entry(id: i64, version: i64) -> Arc<Entry> {
        Arc::new(Entry::new(version, report(id), Labels::default()))
    }

    #[test]
    fn an_entry_serves_only_its_version_and_visibility() {
        let cache = DashboardCache::default();
        cache.put(1, Visibility::Both, entry(1, 3));
        assert!(cache.get(1, Visibility::Both, 3).is_some());
        assert!(
            cache
                .get_series(1, "practices", Visibility::Both, 3)
                .is_none(),
            "another series of the same partnership is another entry"
        );
        cache.put_series(1, "practices", Visibility::Both, entry(1, 3));
        assert!(cache
            .get_series(1, "practices", Visibility::Both, 3)
            .is_some());
        assert!(cache.get(1, Visibility::Both, 4).is_none(), "newer data");
        assert!(cache.get(1, Visibility::Only(Side::Customer), 3).is_none());
        assert!(cache.get(2, Visibility::Both, 3).is_none());
    }

    #[test]
    fn an_older_build_does_not_replace_a_newer_one() {
        let cache = DashboardCache::default();
        cache.put(1, Visibility::Both, entry(1, 5));
        cache.put(1, Visibility::Both, entry(1, 4));
        assert!(cache.get(1, Visibility::Both, 5).is_some());
    }

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let cache = DashboardCache::default();
        for id in 0..CAPACITY as i64 {
            cache.put(id, Visibility::Both, entry(id, 1));
        }
        assert!(cache.get(0, Visibility::Both, 1).is_some(), "0 used again");
        cache.put(999, Visibility::Both, entry(999, 1));
        assert_eq!(cache.len(), CAPACITY);
        assert!(cache.get(0, Visibility::Both, 1).is_some());
        assert!(
            cache.get(1, Visibility::Both, 1).is_none(),
            "1 was the oldest"
        );
    }
}
