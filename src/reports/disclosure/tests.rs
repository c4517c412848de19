use std::collections::BTreeSet;

use super::*;

const N: u64 = 5;

fn group(fixed: &[(&str, &str)]) -> Group {
    fixed
        .iter()
        .fold(Group::total(), |g, (a, v)| g.with(*a, *v))
}

/// The probe: 4 executives (operations), 10 managers (finance), 12 staff (operations).
fn probe() -> Table {
    Table::new(
        ["level", "function"],
        [
            (["executive", "ops"], 4),
            (["manager", "finance"], 10),
            (["staff", "ops"], 12),
        ],
    )
    .unwrap()
}

/// What a report asks for today: total, level, function, level × function.
fn report_candidates(table: &Table) -> Vec<Group> {
    table
        .breakdowns(&[&[], &["level"], &["function"], &["level", "function"]])
        .unwrap()
}

fn keys(finding: &Finding) -> Vec<Vec<&str>> {
    finding
        .cells
        .iter()
        .map(|k| k.iter().map(String::as_str).collect())
        .collect()
}

/// Checks, exactly, that the combination's weighted sum of group vectors is the finding's
/// vector on every cell with a positive count.
fn assert_combination_recovers(table: &Table, finding: &Finding) {
    let common = finding
        .combination
        .iter()
        .fold(1i128, |l, t| lcm(l, t.coefficient.denominator()));
    for cell in table.cells().iter().filter(|c| c.count > 0) {
        let sum: i128 = finding
            .combination
            .iter()
            .filter(|t| member(table, &t.group, &cell.key))
            .map(|t| t.coefficient.numerator() * (common / t.coefficient.denominator()))
            .sum();
        let expected = if finding.cells.contains(&cell.key) {
            common
        } else {
            0
        };
        assert_eq!(sum, expected, "cell {:?} in {finding:?}", cell.key);
    }
    let count: u64 = table
        .cells()
        .iter()
        .filter(|c| finding.cells.contains(&c.key))
        .map(|c| c.count)
        .sum();
    assert_eq!(count, finding.count);
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

fn lcm(a: i128, b: i128) -> i128 {
    a / gcd(a, b) * b
}

fn member(table: &Table, group: &Group, key: &[String]) -> bool {
    group.fixed().iter().all(|(a, v)| {
        let p = table.attributes().iter().position(|x| x == a).unwrap();
        key[p] == *v
    })
}

#[test]
fn subtracting_level_staff_from_function_ops_recovers_the_four_executives() {
    let table = probe();
    let published = [group(&[("function", "ops")]), group(&[("level", "staff")])];

    let audit = audit(&table, &published, N).unwrap();

    assert!(audit.below_minimum.is_empty());
    assert_eq!(audit.recoverable.len(), 1);
    let finding = &audit.recoverable[0];
    assert_eq!(keys(finding), vec![vec!["executive", "ops"]]);
    assert_eq!(finding.count, 4);
    assert_combination_recovers(&table, finding);
    let written: Vec<String> = finding
        .combination
        .iter()
        .map(|t| format!("{} {}", t.coefficient, t.group))
        .collect();
    assert_eq!(written, ["-1 level=staff", "1 function=ops"]);
}

#[test]
fn the_cross_tab_shows_the_managers_the_level_breakdown_withheld_as_a_complement() {
    let table = probe();
    // Level breakdown after today's rules: executives (4) and managers (10, the complement)
    // hidden, staff shown; the cross-tab shows manager × finance.
    let published = [
        Group::total(),
        group(&[("level", "staff")]),
        group(&[("level", "manager"), ("function", "finance")]),
    ];

    let audit = audit(&table, &published, N).unwrap();

    assert_eq!(audit.recoverable.len(), 1);
    let finding = &audit.recoverable[0];
    assert_eq!(keys(finding), vec![vec!["executive", "ops"]]);
    assert_combination_recovers(&table, finding);
    assert_eq!(
        finding.combination.len(),
        3,
        "total − staff − manager × finance"
    );
}

#[test]
fn what_the_per_breakdown_rules_publish_today_fails_the_audit() {
    let table = probe();
    // confidentiality::suppress per kind: level hides executive and manager; function hides
    // nothing; the cross-tab hides executive × ops and, for the ops column, staff × ops.
    let published = [
        Group::total(),
        group(&[("level", "staff")]),
        group(&[("function", "finance")]),
        group(&[("function", "ops")]),
        group(&[("level", "manager"), ("function", "finance")]),
    ];

    let audit = audit(&table, &published, N).unwrap();

    assert!(!audit.is_clean());
    assert!(audit
        .recoverable
        .iter()
        .any(|f| keys(f) == vec![vec!["executive", "ops"]]));
    for f in &audit.recoverable {
        assert_combination_recovers(&table, f);
    }
}

#[test]
fn protect_withholds_enough_for_the_probe_and_the_audit_then_passes() {
    let table = probe();
    let candidates = report_candidates(&table);

    let protection = protect(&table, &candidates, &[], N).unwrap();

    let audit = audit(&table, &protection.published(), N).unwrap();
    assert!(audit.is_clean(), "{audit:?}");
    let decisions: Vec<String> = protection
        .decisions
        .iter()
        .map(|d| format!("{}: {:?}", d.group, d.outcome))
        .collect();
    assert_eq!(
        decisions,
        [
            "total: Published",
            "level=executive: Withheld(BelowMinimum)",
            "level=manager: Published",
            "level=staff: Withheld(Complementary)",
            "function=finance: Published",
            "function=ops: Published",
            "function=ops, level=executive: Withheld(BelowMinimum)",
            "function=finance, level=manager: Published",
            "function=ops, level=staff: Withheld(Complementary)",
        ]
    );
}

#[test]
fn a_published_group_below_the_minimum_is_reported_as_such() {
    let table = probe();

    let audit = audit(&table, &[group(&[("level", "executive")])], N).unwrap();

    assert_eq!(audit.below_minimum, [group(&[("level", "executive")])]);
    assert_eq!(keys(&audit.recoverable[0]), vec![vec!["executive", "ops"]]);
}

#[test]
fn a_group_with_no_answers_is_below_the_minimum() {
    let table = Table::new(["level"], [(["manager"], 0), (["staff"], 9)]).unwrap();
    let manager = group(&[("level", "manager")]);

    let protection = protect(&table, &[Group::total(), manager.clone()], &[], N).unwrap();

    assert_eq!(
        protection.outcome(&manager),
        Some(Outcome::Withheld(Reason::BelowMinimum))
    );
    assert!(protection.is_published(&Group::total()));
}

#[test]
fn a_cell_nobody_answered_cannot_hide_a_recoverable_group() {
    // Cells a (3 answers), z (0: its people said "don't know"), b and c (10 each), grouped by
    // three attributes: A=1 is {a, z, b}, B=1 is {z, c}, C=1 is {b, c}. A1 + B1 − C1 is
    // a + 2z, which is a's sum: z adds nothing to any published number.
    let table = Table::new(
        ["A", "B", "C"],
        [
            (["1", "2", "2"], 3),
            (["1", "1", "2"], 0),
            (["1", "2", "1"], 10),
            (["2", "1", "1"], 10),
        ],
    )
    .unwrap();
    let published = [
        group(&[("A", "1")]),
        group(&[("B", "1")]),
        group(&[("C", "1")]),
    ];

    let audit = audit(&table, &published, N).unwrap();

    assert_eq!(audit.recoverable.len(), 1);
    assert_eq!(keys(&audit.recoverable[0]), vec![vec!["1", "2", "2"]]);
    assert_combination_recovers(&table, &audit.recoverable[0]);
}

#[test]
fn half_of_three_overlapping_groups_recovers_a_cell() {
    // X=1 is {a, b}, Y=1 is {b, c}, Z=1 is {a, c}: a = ½ (X1 − Y1 + Z1), though no
    // integer combination gives it.
    let table = Table::new(
        ["X", "Y", "Z"],
        [
            (["1", "0", "1"], 2),
            (["1", "1", "0"], 3),
            (["0", "1", "1"], 3),
        ],
    )
    .unwrap();
    let published = [
        group(&[("X", "1")]),
        group(&[("Y", "1")]),
        group(&[("Z", "1")]),
    ];

    let audit = audit(&table, &published, N).unwrap();

    assert_eq!(
        audit.recoverable.len(),
        3,
        "each cell alone; any two hold 5 or more"
    );
    let finding = audit
        .recoverable
        .iter()
        .find(|f| keys(f) == vec![vec!["1", "0", "1"]])
        .unwrap();
    let written: Vec<String> = finding
        .combination
        .iter()
        .map(|t| format!("{} {}", t.coefficient, t.group))
        .collect();
    assert_eq!(written, ["1/2 X=1", "-1/2 Y=1", "1/2 Z=1"]);
    assert_combination_recovers(&table, finding);
}

#[test]
fn groups_withheld_before_stay_withheld() {
    let table = probe();
    let candidates = report_candidates(&table);
    let finance = group(&[("function", "finance")]);

    let protection = protect(&table, &candidates, std::slice::from_ref(&finance), N).unwrap();

    assert_eq!(
        protection.outcome(&finance),
        Some(Outcome::Withheld(Reason::WithheldBefore))
    );
    assert!(audit(&table, &protection.published(), N)
        .unwrap()
        .is_clean());
}

#[test]
fn an_item_is_protected_on_its_answers_within_what_the_respondents_allow() {
    let table = probe();
    let candidates = report_candidates(&table);
    let respondents = protect(&table, &candidates, &[], N).unwrap();
    // Two managers said "don't know": 8 answers in finance.
    let answers = Table::new(
        ["level", "function"],
        [
            (["executive", "ops"], 4),
            (["manager", "finance"], 8),
            (["staff", "ops"], 12),
        ],
    )
    .unwrap();

    let item = protect(&answers, &candidates, &respondents.withheld(), N).unwrap();

    for g in respondents.withheld() {
        assert!(!item.is_published(&g));
    }
    assert!(audit(&answers, &item.published(), N).unwrap().is_clean());
}

#[test]
fn reasons_name_no_group_and_no_count() {
    assert_eq!(
        Reason::BelowMinimum.explain(5),
        "below the minimum reporting size of 5"
    );
    assert_eq!(
        Reason::Complementary.explain(5),
        "withheld so that a group of fewer than 5 cannot be recovered by combining published \
         groups"
    );
}

#[test]
fn a_table_refuses_what_it_cannot_mean() {
    assert_eq!(
        Table::new(["level", "level"], Vec::<([&str; 2], u64)>::new()),
        Err(DisclosureError::DuplicateAttribute("level".into()))
    );
    assert!(matches!(
        Table::new(["level"], [(vec!["a", "b"], 1)]),
        Err(DisclosureError::KeyLength { expected: 1, .. })
    ));
    assert!(matches!(
        Table::new(["level"], [(["a"], 1), (["a"], 2)]),
        Err(DisclosureError::DuplicateCell(_))
    ));
    let table = probe();
    assert_eq!(
        audit(&table, &[group(&[("region", "north")])], N),
        Err(DisclosureError::UnknownAttribute("region".into()))
    );
    assert_eq!(
        audit(&table, &[group(&[("level", "a"), ("level", "b")])], N),
        Err(DisclosureError::AttributeFixedTwice("level".into()))
    );
}

#[test]
fn an_empty_table_still_has_a_total_and_it_is_below_the_minimum() {
    let table = Table::new(["level"], Vec::<([&str; 1], u64)>::new()).unwrap();
    let candidates = table.breakdowns(&[&[], &["level"]]).unwrap();

    let protection = protect(&table, &candidates, &[], N).unwrap();

    assert_eq!(candidates, [Group::total()]);
    assert_eq!(
        protection.outcome(&Group::total()),
        Some(Outcome::Withheld(Reason::BelowMinimum))
    );
}

#[test]
fn a_minimum_of_one_or_zero_finds_nothing() {
    let table = probe();
    let all = report_candidates(&table);
    assert!(audit(&table, &all, 1).unwrap().is_clean());
    assert!(audit(&table, &all, 0).unwrap().is_clean());
}

// ---- Random cases against an independent brute force -------------------------------------

/// xorshift64*: a fixed, dependency-free stream for reproducible random cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

struct Case {
    attributes: Vec<String>,
    cells: Vec<(Vec<String>, u64)>,
    candidates: Vec<Group>,
    min: u64,
}

/// 2–4 attributes of 2–3 values (at most 16 possible cells), cells present with counts
/// 0..=8, candidates: the total, every one-attribute breakdown and one or two cross-tabs.
fn random_case(rng: &mut Rng) -> Case {
    let n_attributes = 2 + rng.below(3) as usize;
    let mut sizes: Vec<usize> = (0..n_attributes)
        .map(|_| 2 + rng.below(2) as usize)
        .collect();
    while sizes.iter().product::<usize>() > 16 {
        let three = sizes.iter().position(|&s| s == 3).unwrap();
        sizes[three] = 2;
    }
    let attributes: Vec<String> = (0..n_attributes).map(|a| format!("a{a}")).collect();
    let mut cells = Vec::new();
    let total: usize = sizes.iter().product();
    for index in 0..total {
        if !rng.chance(70) {
            continue;
        }
        let mut rest = index;
        let key: Vec<String> = sizes
            .iter()
            .map(|&s| {
                let v = rest % s;
                rest /= s;
                format!("v{v}")
            })
            .collect();
        cells.push((key, rng.below(9)));
    }
    let table = Table::new(attributes.clone(), cells.clone()).unwrap();
    let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
    let mut by: Vec<Vec<&str>> = vec![vec![]];
    by.extend(names.iter().map(|a| vec![*a]));
    for _ in 0..1 + rng.below(2) {
        let a = rng.below(n_attributes as u64) as usize;
        let b = (a + 1 + rng.below(n_attributes as u64 - 1) as usize) % n_attributes;
        by.push(vec![names[a], names[b]]);
    }
    let by: Vec<&[&str]> = by.iter().map(Vec::as_slice).collect();
    let candidates = table.breakdowns(&by).unwrap();
    Case {
        attributes,
        cells,
        candidates,
        min: 3 + rng.below(4),
    }
}

/// Span membership by floating-point Gram–Schmidt: a method that shares nothing with the
/// integer elimination under test. Vectors are 0/1 of length ≤ 16, far from any tolerance.
struct FloatSpan(Vec<Vec<f64>>);

impl FloatSpan {
    fn new(vectors: &[Vec<f64>]) -> Self {
        let mut basis: Vec<Vec<f64>> = Vec::new();
        for v in vectors {
            let w = Self::residual(&basis, v);
            let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 1e-9 {
                basis.push(w.iter().map(|x| x / norm).collect());
            }
        }
        Self(basis)
    }

    fn residual(basis: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
        let mut w = v.to_vec();
        for _ in 0..2 {
            for b in basis {
                let d: f64 = w.iter().zip(b).map(|(x, y)| x * y).sum();
                w.iter_mut().zip(b).for_each(|(x, y)| *x -= d * y);
            }
        }
        w
    }

    fn contains(&self, v: &[f64]) -> bool {
        Self::residual(&self.0, v)
            .iter()
            .map(|x| x * x)
            .sum::<f64>()
            .sqrt()
            < 1e-6
    }
}

/// Every union of positive cells with 1..min−1 people whose vector is in the span of the
/// published groups, as sorted cell keys; found by trying all 2^cells unions.
fn brute_force(table: &Table, published: &[Group], min: u64) -> BTreeSet<Vec<Vec<String>>> {
    let positive: Vec<&Cell> = table.cells().iter().filter(|c| c.count > 0).collect();
    let vector = |g: &Group| -> Vec<f64> {
        positive
            .iter()
            .map(|c| f64::from(u8::from(member(table, g, &c.key))))
            .collect()
    };
    let span = FloatSpan::new(&published.iter().map(vector).collect::<Vec<_>>());
    // count[mask] = count[mask without its lowest cell] + that cell's count.
    let mut counts = vec![0u64; 1 << positive.len()];
    let mut out = BTreeSet::new();
    for mask in 1usize..(1 << positive.len()) {
        let lowest = mask.trailing_zeros() as usize;
        counts[mask] = counts[mask & (mask - 1)] + positive[lowest].count;
        let count = counts[mask];
        let in_union = |i: usize| mask & (1 << i) != 0;
        if count == 0 || count >= min {
            continue;
        }
        let x: Vec<f64> = (0..positive.len())
            .map(|i| f64::from(u8::from(in_union(i))))
            .collect();
        if span.contains(&x) {
            out.insert(
                (0..positive.len())
                    .filter(|&i| in_union(i))
                    .map(|i| positive[i].key.clone())
                    .collect(),
            );
        }
    }
    out
}

const CASES: usize = 400;

#[test]
fn the_audit_agrees_with_a_brute_force_on_random_cases() {
    let mut rng = Rng(0x7a6e_6465_6d21_0001);
    let mut with_findings = 0;
    for case_no in 0..CASES {
        let case = random_case(&mut rng);
        let table = Table::new(case.attributes.clone(), case.cells.clone()).unwrap();
        let published: Vec<Group> = case
            .candidates
            .iter()
            .filter(|_| rng.chance(70))
            .cloned()
            .collect();

        let audit = audit(&table, &published, case.min).unwrap();

        let ours: BTreeSet<Vec<Vec<String>>> =
            audit.recoverable.iter().map(|f| f.cells.clone()).collect();
        assert_eq!(
            ours.len(),
            audit.recoverable.len(),
            "case {case_no}: duplicates"
        );
        assert_eq!(
            ours,
            brute_force(&table, &published, case.min),
            "case {case_no}"
        );
        for f in &audit.recoverable {
            assert!((1..case.min).contains(&f.count));
            assert_combination_recovers(&table, f);
        }
        let small: Vec<&Group> = published
            .iter()
            .filter(|g| table.count(g).unwrap() < case.min)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let reported: Vec<&Group> = audit
            .below_minimum
            .iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(reported, small, "case {case_no}");
        with_findings += usize::from(!audit.recoverable.is_empty());
    }
    assert!(with_findings > CASES / 4, "the cases exercise the audit");
}

#[test]
fn after_protect_nothing_small_is_shown_or_recoverable_and_nothing_is_withheld_needlessly() {
    let mut rng = Rng(0x7a6e_6465_6d21_0002);
    let mut complementary = 0;
    for case_no in 0..CASES {
        let case = random_case(&mut rng);
        let table = Table::new(case.attributes.clone(), case.cells.clone()).unwrap();

        let protection = protect(&table, &case.candidates, &[], case.min).unwrap();

        let published = protection.published();
        for g in &published {
            assert!(table.count(g).unwrap() >= case.min, "case {case_no}: {g}");
        }
        assert!(
            brute_force(&table, &published, case.min).is_empty(),
            "case {case_no}"
        );
        for d in &protection.decisions {
            if d.outcome == Outcome::Withheld(Reason::Complementary) {
                complementary += 1;
                let mut with = published.clone();
                with.push(d.group.clone());
                assert!(
                    !brute_force(&table, &with, case.min).is_empty(),
                    "case {case_no}: {} was withheld needlessly",
                    d.group
                );
            }
        }
    }
    assert!(complementary > CASES / 4, "the cases exercise step 2");
}

#[test]
fn protect_does_not_depend_on_the_order_of_cells_or_candidates() {
    let mut rng = Rng(0x7a6e_6465_6d21_0003);
    for case_no in 0..CASES / 2 {
        let case = random_case(&mut rng);
        let table = Table::new(case.attributes.clone(), case.cells.clone()).unwrap();
        let before: Vec<Group> = case
            .candidates
            .iter()
            .filter(|_| rng.chance(10))
            .cloned()
            .collect();
        let expected = protect(&table, &case.candidates, &before, case.min).unwrap();

        let mut cells = case.cells.clone();
        rng.shuffle(&mut cells);
        let mut candidates = case.candidates.clone();
        rng.shuffle(&mut candidates);
        candidates.extend(candidates.first().cloned());
        let mut before = before;
        rng.shuffle(&mut before);
        let shuffled = Table::new(case.attributes.clone(), cells).unwrap();

        assert_eq!(
            protect(&shuffled, &candidates, &before, case.min).unwrap(),
            expected,
            "case {case_no}"
        );
        assert_eq!(
            audit(&shuffled, &candidates, case.min).unwrap(),
            audit(&table, &case.candidates, case.min).unwrap(),
            "case {case_no}"
        );
    }
}

// ---- Timing --------------------------------------------------------------------------------

/// `cargo test --release --lib reports::disclosure::tests::timing -- --ignored --nocapture`
#[test]
#[ignore = "timing: run in release"]
fn timing() {
    use std::time::{Duration, Instant};

    fn run(
        label: &str,
        rng: &mut Rng,
        sizes: &[usize],
        presence: u64,
        counts: (u64, u64),
        by: &[&[&str]],
        min: u64,
    ) {
        let names = ["level", "function", "region", "site", "tenure"];
        let attributes = &names[..sizes.len()];
        let (mut total, mut worst, mut runs) = (Duration::ZERO, Duration::ZERO, 0u32);
        let (mut cells_seen, mut groups_seen, mut withheld_seen) = (0, 0, 0);
        for _ in 0..200 {
            let mut cells = Vec::new();
            let possible: usize = sizes.iter().product();
            for index in 0..possible {
                if !rng.chance(presence) {
                    continue;
                }
                let mut rest = index;
                let key: Vec<String> = sizes
                    .iter()
                    .map(|&s| {
                        let v = rest % s;
                        rest /= s;
                        format!("v{v}")
                    })
                    .collect();
                cells.push((key, counts.0 + rng.below(counts.1 - counts.0 + 1)));
            }
            let table = Table::new(attributes.iter().copied(), cells).unwrap();
            let candidates = table.breakdowns(by).unwrap();
            let start = Instant::now();
            let protection = protect(&table, &candidates, &[], min).unwrap();
            let took = start.elapsed();
            total += took;
            worst = worst.max(took);
            runs += 1;
            cells_seen += table.cells().len();
            groups_seen += candidates.len();
            withheld_seen += protection.withheld().len();
        }
        println!(
            "{label}: {runs} protect calls, mean {:?}, worst {:?} \
             (mean {} cells, {} candidates, {} withheld)",
            total / runs,
            worst,
            cells_seen / runs as usize,
            groups_seen / runs as usize,
            withheld_seen / runs as usize,
        );
    }

    let mut rng = Rng(0x7a6e_6465_6d21_0004);
    let typical: &[&[&str]] = &[
        &[],
        &["level"],
        &["function"],
        &["region"],
        &["level", "function"],
    ];
    run(
        "typical 3×4×3, counts 1..12, N=5",
        &mut rng,
        &[3, 4, 3],
        70,
        (1, 12),
        typical,
        5,
    );
    run(
        "typical 3×4×3, counts 0..6 (an item with don't-knows), N=5",
        &mut rng,
        &[3, 4, 3],
        70,
        (0, 6),
        typical,
        5,
    );
    run(
        "typical 3×4×3, counts 1..12, N=10",
        &mut rng,
        &[3, 4, 3],
        70,
        (1, 12),
        typical,
        10,
    );
    let wide: &[&[&str]] = &[
        &[],
        &["level"],
        &["function"],
        &["region"],
        &["site"],
        &["tenure"],
        &["level", "function"],
        &["level", "region"],
        &["function", "region"],
        &["function", "site"],
    ];
    run(
        "5 attributes 3×4×3×3×2, cells of 1..2, N=5",
        &mut rng,
        &[3, 4, 3, 3, 2],
        40,
        (1, 2),
        wide,
        5,
    );
    run(
        "5 attributes 3×4×3×3×2, cells of 1..2, N=10",
        &mut rng,
        &[3, 4, 3, 3, 2],
        40,
        (1, 2),
        wide,
        10,
    );
    run(
        "5 attributes, all 216 cells of 1 person, N=10",
        &mut rng,
        &[3, 4, 3, 3, 2],
        100,
        (1, 1),
        wide,
        10,
    );
    run(
        "5 attributes 3×4×3×3×2, cells of 1..3, N=20",
        &mut rng,
        &[3, 4, 3, 3, 2],
        60,
        (1, 3),
        wide,
        20,
    );
}
