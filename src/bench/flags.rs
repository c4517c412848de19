//! `tandem bench flags`: how often each flag rule fires where nothing happened, and how soon
//! it fires where something did. Generated partnerships (default 20 waves × 2 firms × 40
//! people, three levels × two functions, the default template) go through the real
//! aggregation, the real report and the real rules — wave by wave, each report holding only
//! the waves closed so far, as when a wave closes — with the rules' stored defaults.
//!
//! Scenarios: `null` (both firms' perceptions stable, answers noisy), and planted effects
//! from wave 11 on: a 0.5-point between-firm gap, a 0.4- and a 0.6-point decline of the
//! supplier, a level split inside the supplier (staff 0.8 or 1.2 points below executives), a
//! polarised supplier (two camps 2 points apart, across levels and functions, the mean
//! unchanged) and a silent supplier (5 % answer). Printed per rule: the share of waves it fires on in the
//! null scenario (the false-alarm rate; the issue asks ≤ 5 %), and the share of runs of its
//! scenario in which it fires by wave 12 (within two waves; the issue asks ≥ 90 %).
//!
//! Pure computation (no database); the random stream is seeded, so a run is reproducible.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::app::Context as AppState;
use crate::domain::Side;
use crate::flags::rules::{self, Rule, RuleConfig};
use crate::reports::aggregate::{self, GroupAggregate, Invitee};
use crate::reports::report::{self, PartnershipInfo, ReportInput, ReportOptions};
use crate::survey_templates::SurveyTemplate;

#[derive(Debug, Args)]
pub struct FlagBenchArgs {
    /// Generated partnerships per scenario
    #[arg(long, default_value_t = 100)]
    pub runs: usize,
    /// Closed waves per partnership (the effects start at wave 11)
    #[arg(long, default_value_t = 20)]
    pub waves: i64,
    /// People per firm and wave
    #[arg(long, default_value_t = 40)]
    pub people: usize,
    /// Seed of the random stream
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// The wave the planted effects start at.
const ONSET: i64 = 11;
/// Rules are judged from this wave on (the decline rule needs t − 2).
const FIRST_JUDGED: i64 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Null,
    Gap,
    Decline,
    Decline6,
    LevelSplit,
    LevelSplit12,
    Polarised,
    Silent,
}

impl Scenario {
    const ALL: [Scenario; 8] = [
        Scenario::Null,
        Scenario::Gap,
        Scenario::Decline,
        Scenario::Decline6,
        Scenario::LevelSplit,
        Scenario::LevelSplit12,
        Scenario::Polarised,
        Scenario::Silent,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::Null => "null",
            Scenario::Gap => "gap 0.5",
            Scenario::Decline => "decline 0.4",
            Scenario::Decline6 => "decline 0.6",
            Scenario::LevelSplit => "level split 0.8",
            Scenario::LevelSplit12 => "level split 1.2",
            Scenario::Polarised => "two camps 2 apart",
            Scenario::Silent => "silent supplier",
        }
    }

    /// The rules that should catch this scenario's effect.
    fn expected(self) -> &'static [Rule] {
        match self {
            Scenario::Null => &[],
            Scenario::Gap => &[Rule::InterFirmGap],
            Scenario::Decline | Scenario::Decline6 => &[Rule::Decline, Rule::Shift],
            Scenario::LevelSplit | Scenario::LevelSplit12 => &[Rule::SegmentGap],
            Scenario::Polarised => &[Rule::LowAgreement],
            Scenario::Silent => &[Rule::LowResponse, Rule::ResponseImbalance],
        }
    }
}

const LEVELS: [&str; 3] = ["executive", "manager", "staff"];
const FUNCTIONS: [&str; 2] = ["operations", "sales"];

/// One wave's invitees of a generated partnership. Each person has a level around the
/// firm's mean (SD 0.5) and each answer adds noise (SD 0.8), rounded to the scale.
fn wave_invitees(
    rng: &mut StdRng,
    template: &SurveyTemplate,
    scenario: Scenario,
    wave: i64,
    people: usize,
) -> Vec<Invitee> {
    let after = wave >= ONSET;
    let mut out = Vec::with_capacity(2 * people);
    for side in Side::BOTH {
        for p in 0..people {
            let level = LEVELS[p % LEVELS.len()];
            let function = FUNCTIONS[(p / LEVELS.len()) % FUNCTIONS.len()];
            let mut mean = 3.6;
            if side == Side::Supplier && after {
                mean += match scenario {
                    Scenario::Gap => -0.5,
                    Scenario::Decline => -0.4,
                    Scenario::Decline6 => -0.6,
                    Scenario::LevelSplit if level == "staff" => -0.4,
                    Scenario::LevelSplit if level == "executive" => 0.4,
                    Scenario::LevelSplit12 if level == "staff" => -0.6,
                    Scenario::LevelSplit12 if level == "executive" => 0.6,
                    // two camps across levels and functions (every sixth person starts
                    // the other camp), so no segment differs: only agreement falls
                    Scenario::Polarised if (p / 6) % 2 == 0 => 1.0,
                    Scenario::Polarised => -1.0,
                    _ => 0.0,
                };
            }
            let silent = side == Side::Supplier && after && scenario == Scenario::Silent;
            let answers_at_all = if silent {
                rng.random_bool(0.05)
            } else {
                rng.random_bool(0.85)
            };
            let person = mean + normal(rng) * 0.5;
            let answers = answers_at_all.then(|| {
                template
                    .items()
                    .iter()
                    .map(|item| {
                        let v = (person + normal(rng) * 0.8).round().clamp(1.0, 5.0) as u8;
                        (item.id().to_owned(), Some(v))
                    })
                    .collect::<HashMap<_, _>>()
            });
            out.push(Invitee {
                attributes: Default::default(),
                side,
                level: level.to_owned(),
                function: function.to_owned(),
                region: String::new(),
                business_unit: String::new(),
                language: "en".to_owned(),
                answers,
            });
        }
    }
    out
}

/// A standard normal draw (Box–Muller; `rand` alone has no normal distribution and
/// `rand_distr` would be a dependency for one line).
fn normal(rng: &mut StdRng) -> f64 {
    let u1: f64 = rng.random_range(f64::EPSILON..1.0);
    let u2: f64 = rng.random_range(0.0..1.0);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// The rules that fire on each judged wave of one generated partnership.
fn fires(
    template: &SurveyTemplate,
    groups_by_wave: &[Vec<GroupAggregate>],
    config: &RuleConfig,
) -> BTreeMap<i64, Vec<Rule>> {
    let mut out = BTreeMap::new();
    for wave in FIRST_JUDGED..=groups_by_wave.len() as i64 {
        let input = ReportInput {
            scale: crate::reports::report::ReportScale::of(template.scale()),
            partnership: PartnershipInfo {
                id: 1,
                name: "generated".into(),
                customer: "C".into(),
                supplier: "S".into(),
                min_reporting_size: 5,
            },
            waves: (1..=wave).map(|w| (w, w, None)).collect(),
            options: ReportOptions::default(),
            items: template
                .items()
                .iter()
                .map(|i| (i.id().to_owned(), i.dimension().to_owned()))
                .collect(),
            dimensions: template
                .dimensions()
                .iter()
                .map(|d| d.id().to_owned())
                .collect(),
            meta_pairs: template
                .meta_pairs()
                .iter()
                .map(|(item, meta)| (item.id().to_owned(), meta.id().to_owned()))
                .collect(),
            not_asked: Default::default(),
            groups: groups_by_wave[..wave as usize]
                .iter()
                .flatten()
                .cloned()
                .collect(),
            kpis: Vec::new(),
        };
        let report = report::assemble(&input);
        let mut rules: Vec<Rule> = rules::evaluate(&report, wave, config)
            .into_iter()
            .map(|f| f.rule)
            .collect();
        rules.sort();
        rules.dedup();
        out.insert(wave, rules);
    }
    out
}

/// `tandem bench flags`.
pub fn run(state: &AppState, args: FlagBenchArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.waves > ONSET,
        "--waves must be at least {} (the effects start at wave {ONSET})",
        ONSET + 1
    );
    anyhow::ensure!(
        args.runs > 0 && args.people > 0,
        "--runs and --people must be positive"
    );
    let template = state.catalog.default_template();
    let config = RuleConfig::default();
    let mut rng = StdRng::seed_from_u64(args.seed);
    // rule → (waves fired, waves judged) under the null scenario
    let mut null: BTreeMap<Rule, (usize, usize)> = BTreeMap::new();
    // (waves on which any rule fired, waves judged) under the null scenario
    let mut null_any = (0usize, 0usize);
    // (scenario, rule) → runs in which the rule fired at wave ONSET or ONSET + 1
    let mut caught: BTreeMap<(&'static str, Rule), usize> = BTreeMap::new();
    // scenario → runs in which any of its rules fired by wave ONSET + 1
    let mut caught_any: BTreeMap<&'static str, usize> = BTreeMap::new();
    let started = std::time::Instant::now();
    let progress = crate::progress::bar(
        (Scenario::ALL.len() * args.runs) as u64,
        "bench flags: generated partnerships",
    );
    for scenario in Scenario::ALL {
        for _ in 0..args.runs {
            progress.inc(1);
            let groups: Vec<Vec<GroupAggregate>> = (1..=args.waves)
                .map(|wave| {
                    let invitees = wave_invitees(&mut rng, template, scenario, wave, args.people);
                    aggregate::compute(wave, template, &invitees)
                })
                .collect();
            let fired = fires(template, &groups, &config);
            match scenario {
                Scenario::Null => {
                    null_any.1 += fired.len();
                    null_any.0 += fired.values().filter(|r| !r.is_empty()).count();
                    for rule in Rule::ALL {
                        let e = null.entry(rule).or_default();
                        for rules in fired.values() {
                            e.1 += 1;
                            e.0 += usize::from(rules.contains(&rule));
                        }
                    }
                }
                _ => {
                    let mut any = false;
                    for &rule in scenario.expected() {
                        let hit = [ONSET, ONSET + 1]
                            .iter()
                            .any(|w| fired.get(w).is_some_and(|r| r.contains(&rule)));
                        *caught.entry((scenario.name(), rule)).or_default() += usize::from(hit);
                        any |= hit;
                    }
                    *caught_any.entry(scenario.name()).or_default() += usize::from(any);
                }
            }
        }
    }
    progress.finish_and_clear();
    writeln!(
        out,
        "{} generated partnerships per scenario, {} waves × 2 firms × {} people, seed {} ({:.1} s)",
        args.runs,
        args.waves,
        args.people,
        args.seed,
        started.elapsed().as_secs_f64()
    )?;
    writeln!(
        out,
        "{:<20} {:>14}   planted effect: caught by wave {}",
        "rule",
        "null: waves",
        ONSET + 1
    )?;
    // the level-gap rule only survives as a name older configurations may hold
    for rule in Rule::ALL.into_iter().filter(|r| *r != Rule::LevelGap) {
        let (f, n) = null.get(&rule).copied().unwrap_or_default();
        let planted: Vec<String> = caught
            .iter()
            .filter(|((_, r), _)| *r == rule)
            .map(|((s, _), c)| format!("{s}: {:.0} %", 100.0 * *c as f64 / args.runs as f64))
            .collect();
        writeln!(
            out,
            "{:<20} {:>13.1}%   {}",
            rule.as_str(),
            100.0 * f as f64 / n.max(1) as f64,
            if planted.is_empty() {
                "–".to_owned()
            } else {
                planted.join(", ")
            }
        )?;
    }
    writeln!(
        out,
        "{:<20} {:>13.1}%",
        "any rule",
        100.0 * null_any.0 as f64 / null_any.1.max(1) as f64
    )?;
    writeln!(
        out,
        "planted effect caught by any of its rules by wave {}:",
        ONSET + 1
    )?;
    for scenario in Scenario::ALL.iter().filter(|s| !s.expected().is_empty()) {
        let rules: Vec<&str> = scenario.expected().iter().map(|r| r.as_str()).collect();
        writeln!(
            out,
            "  {:<20} {:>5.0} %   ({})",
            scenario.name(),
            100.0 * caught_any.get(scenario.name()).copied().unwrap_or(0) as f64 / args.runs as f64,
            rules.join(" or ")
        )?;
    }
    Ok(())
}
