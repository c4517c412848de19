//! The report's judgements through the real path (CLI import, `tandem report --json`), on
//! both backends, against references computed by other packages
//! (`tests/fixtures/inference/`: scipy, statsmodels, pingouin, ruptures, R multilevel):
//! lead–lag on first differences with one Holm family over the report, change points,
//! agreement beyond chance, joint alignment and segment differences.

use std::path::PathBuf;

use serde_json::Value;

use crate::analytics_fixture::fixture_report;
use crate::both_backends;

const CLOSED_FORM: f64 = 1e-9;
const P_VALUE: f64 = 1e-7;

fn reference(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inference")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn list(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a list")
}

#[track_caller]
fn close(label: &str, want: &Value, got: &Value, tolerance: f64) {
    match (want.as_f64(), got.as_f64()) {
        (Some(w), Some(g)) => assert!(
            (w - g).abs() <= tolerance,
            "{label}: want {w}, got {g} (|Δ| = {:e})",
            (w - g).abs()
        ),
        _ => assert_eq!(want, got, "{label}"),
    }
}

both_backends!(
    the_report_lead_lag_is_first_differences_with_one_holm_family,
    |app| {
        let (_, report) = fixture_report(&app);
        let tables = reference("expected.json");
        let holm = reference("report_holm.json");
        let lead_lag = list(&report["lead_lag"]);
        assert_eq!(lead_lag.len(), 12, "2 KPIs × 2 sides × 3 dimensions");
        let mut compared = 0;
        for want in list(&tables["lead_lag_fixture"]) {
            let got = lead_lag
                .iter()
                .find(|r| {
                    r["side"] == want["firm"]
                        && r["dimension"] == want["dimension"]
                        && r["kpi"] == want["kpi"]
                })
                .unwrap_or_else(|| panic!("no lead_lag record for {want}"));
            let label = format!("{} {} {}", want["firm"], want["dimension"], want["kpi"]);
            assert_eq!(got["method"], "first_differences");
            assert_eq!(got["family_size"], holm["family_size"], "{label}");
            let (want_lags, got_lags) = (list(&want["lags"]), list(&got["lags"]));
            assert_eq!(
                got_lags.iter().map(|l| l["k"].clone()).collect::<Vec<_>>(),
                (-3..=3).map(Value::from).collect::<Vec<_>>()
            );
            for (w, g) in want_lags.iter().zip(got_lags) {
                let l = format!("{label} k = {}", w["k"]);
                assert_eq!(w["n"], g["n"], "{l}");
                assert_eq!(w["perception_waves"], g["perception_waves"], "{l}");
                assert_eq!(w["kpi_waves"], g["kpi_waves"], "{l}");
                close(&format!("{l} r"), &w["r"], &g["r"], CLOSED_FORM);
                close(&format!("{l} p"), &w["p"], &g["p"], P_VALUE);
                let adjusted = list(&holm["adjusted"]).iter().find(|a| {
                    a["firm"] == want["firm"]
                        && a["dimension"] == want["dimension"]
                        && a["kpi"] == want["kpi"]
                        && a["k"] == w["k"]
                });
                match adjusted {
                    Some(a) => {
                        close(
                            &format!("{l} p_adjusted"),
                            &a["p_adjusted"],
                            &g["p_adjusted"],
                            P_VALUE,
                        );
                        compared += 1;
                    }
                    None => assert!(g["p_adjusted"].is_null(), "{l}: {g}"),
                }
            }
            // Six waves give five changes: only k = 0 has five pairs, so no lead is testable.
            assert_eq!(got["verdict"]["finding"], "no_evidence_yet", "{label}");
            assert_eq!(got["verdict"]["reason"], "too_few_waves", "{label}");
            assert!(
                got["verdict"]["sentence"]
                    .as_str()
                    .unwrap()
                    .starts_with("no evidence yet"),
                "{}",
                got["verdict"]["sentence"]
            );
        }
        assert_eq!(compared, 12, "every defined p was adjusted in one family");
    }
);

both_backends!(
    change_points_joint_alignment_and_segment_tests_match_the_references,
    |app| {
        let (_, report) = fixture_report(&app);
        let e = reference("expected.json");

        let got_cp = list(&report["change_points"]);
        assert_eq!(got_cp.len(), 6, "both sides × 3 dimensions, six waves each");
        for want in list(&e["change_points"])
            .iter()
            .filter(|c| c["label"].as_str().unwrap().starts_with("fixture "))
        {
            let parts: Vec<&str> = want["label"].as_str().unwrap().split(' ').collect();
            let got = got_cp
                .iter()
                .find(|c| c["side"] == parts[1] && c["dimension"] == parts[2])
                .unwrap_or_else(|| panic!("no change points for {}", want["label"]));
            assert_eq!(
                got["change_waves"], want["change_waves"],
                "{}",
                want["label"]
            );
            assert_eq!(got["waves"], want["waves"], "{}", want["label"]);
            close("penalty", &want["penalty"], &got["penalty"], CLOSED_FORM);
            for (w, g) in list(&want["segments"]).iter().zip(list(&got["segments"])) {
                close("segment mean", &w["mean"], &g["mean"], CLOSED_FORM);
            }
        }
        let supplier_trust = got_cp
            .iter()
            .find(|c| c["side"] == "supplier" && c["dimension"] == "trust")
            .unwrap();
        assert_eq!(supplier_trust["change_waves"], serde_json::json!([5]));

        let joint = list(&report["joint"]);
        assert_eq!(joint.len(), 18, "6 waves × 3 dimensions");
        for want in list(&e["joint_alignment"]) {
            let got = joint
                .iter()
                .find(|j| j["wave"] == want["wave"] && j["dimension"] == want["dimension"])
                .unwrap();
            let label = format!("joint wave {} {}", want["wave"], want["dimension"]);
            assert!(got["suppressed"].is_null(), "{label}");
            assert_eq!(got["n_customer"], want["n_customer"], "{label}");
            assert_eq!(got["n_supplier"], want["n_supplier"], "{label}");
            close(
                &format!("{label} rwg_j"),
                &want["rwg_j"],
                &got["rwg_j"],
                CLOSED_FORM,
            );
            close(
                &format!("{label} icc1"),
                &want["icc1"],
                &got["icc1_firm"],
                CLOSED_FORM,
            );
            close(
                &format!("{label} eta2"),
                &want["eta_squared"],
                &got["eta2_firm"],
                CLOSED_FORM,
            );
            let (r, crit) = (got["rwg_j"].as_f64(), got["rwg_j_crit95"].as_f64());
            if let (Some(r), Some(crit)) = (r, crit) {
                assert_eq!(
                    got["beyond_chance"],
                    Value::from(r > crit + 1e-9),
                    "{label}"
                );
            }
        }

        // Segment tests run over the shown segments only; where every segment of the
        // reference is shown, the numbers must be the reference's.
        let tests = list(&report["segment_tests"]);
        let mut compared = 0;
        for want in list(&e["segment_differences_fixture"]) {
            let got = tests
                .iter()
                .find(|t| {
                    t["wave"] == want["wave"]
                        && t["side"] == want["firm"]
                        && t["dimension"] == want["dimension"]
                        && t["attribute"] == want["by"]
                })
                .unwrap_or_else(|| panic!("no segment test for {want}"));
            let mut shown: Vec<&str> = list(&got["segments"])
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            shown.sort_unstable();
            let mut labels: Vec<&str> = list(&want["labels"])
                .iter()
                .map(|s| s.as_str().unwrap())
                .collect();
            labels.sort_unstable();
            if shown != labels {
                assert!(
                    shown.iter().all(|s| labels.contains(s)) && shown.len() < labels.len(),
                    "only withheld segments are left out: {shown:?} of {labels:?}"
                );
                continue;
            }
            let label = format!(
                "segments wave {} {} {} by {}",
                want["wave"], want["firm"], want["dimension"], want["by"]
            );
            assert_eq!(got["n"], want["n"], "{label}");
            assert_eq!(got["k"], want["groups"], "{label}");
            for (field, theirs, tolerance) in [
                ("welch_f", "welch_f", CLOSED_FORM),
                ("welch_df1", "welch_df1", CLOSED_FORM),
                ("welch_df2", "welch_df2", CLOSED_FORM),
                ("welch_p", "welch_p", P_VALUE),
                ("kruskal_h", "kruskal_h", CLOSED_FORM),
                ("kruskal_p", "kruskal_p", P_VALUE),
                ("epsilon2", "epsilon_squared", CLOSED_FORM),
                ("omega2", "omega_squared", CLOSED_FORM),
            ] {
                close(
                    &format!("{label} {field}"),
                    &want[theirs],
                    &got[field],
                    tolerance,
                );
            }
            compared += 1;
        }
        assert!(
            compared >= 40,
            "only {compared} of 72 segment tests compared"
        );

        // Agreement beyond chance: every shown item with an rwg carries its critical value,
        // and for the group sizes with an exact null distribution it lies in the band.
        let bands: Vec<(u64, [f64; 2])> = list(&e["rwg_chance"])
            .iter()
            .filter(|c| c["items"] == 1 && c["options"] == 5)
            .map(|c| {
                let b = list(&c["exact_band_for_rust"]);
                (
                    c["n"].as_u64().unwrap(),
                    [b[0].as_f64().unwrap(), b[1].as_f64().unwrap()],
                )
            })
            .collect();
        let mut in_band = 0;
        for item in list(&report["items"])
            .iter()
            .filter(|i| !i["rwg"].is_null())
        {
            let (rwg, crit) = (item["rwg"].as_f64().unwrap(), item["rwg_crit95"].as_f64());
            let crit = crit.unwrap_or_else(|| panic!("an rwg without its critical value: {item}"));
            assert_eq!(item["beyond_chance"], Value::from(rwg > crit + 1e-9));
            if let Some((_, [lo, hi])) = bands.iter().find(|(n, _)| Some(*n) == item["n"].as_u64())
            {
                assert!(
                    *lo - 1e-12 <= crit && crit <= *hi + 1e-12,
                    "{crit} outside [{lo}, {hi}]"
                );
                in_band += 1;
            }
        }
        assert!(in_band > 0, "no item of a size with an exact band");
    }
);
