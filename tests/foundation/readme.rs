//! The README's first steps, exactly as written there, with the files shipped in `examples/`.

use crate::both_backends;
use crate::common::run_cli;

/// The commands of the README's "First steps" block, as argument lists (what follows
/// `cargo run --release --`, comments dropped).
fn first_steps() -> Vec<Vec<String>> {
    let readme = include_str!("../../README.md");
    let section = readme
        .split("## First steps")
        .nth(1)
        .expect("the README has a First steps section");
    let block = section
        .split("```")
        .nth(1)
        .expect("First steps has a code block");
    block
        .lines()
        .filter_map(|l| l.trim().strip_prefix("cargo run --release -- "))
        .map(|l| split_args(l.split(" #").next().unwrap_or(l)))
        .collect()
}

/// Splits a shell line on blanks, keeping "double-quoted words" together.
fn split_args(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in line.trim().chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !current.is_empty() {
                    args.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        args.push(current);
    }
    args
}

both_backends!(
    the_readme_first_steps_run_as_written_with_the_examples,
    |app| {
        let steps = first_steps();
        assert_eq!(steps.len(), 6, "{steps:?}");
        let root = env!("CARGO_MANIFEST_DIR");
        let mut outputs = Vec::new();
        for step in &steps {
            let args: Vec<String> = step
                .iter()
                .map(|a| {
                    if a.starts_with("examples/") {
                        format!("{root}/{a}")
                    } else {
                        a.clone()
                    }
                })
                .collect();
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run_cli(&app.db, &refs);
            out.assert_ok();
            outputs.push(out.stdout);
        }
        assert_eq!(outputs[0].lines().last(), Some("1"), "{}", outputs[0]);
        assert!(outputs[1].contains("40 added"), "{}", outputs[1]);
        assert!(outputs[2].contains("2920 answers"), "{}", outputs[2]);
        assert!(
            outputs[3].contains("on_time_delivery_pct"),
            "{}",
            outputs[3]
        );
        assert!(outputs[4].contains("Acme / Bolt"), "{}", outputs[4]);
        assert!(
            outputs[5].contains("partnership-perception"),
            "{}",
            outputs[5]
        );
        assert_eq!(app.db.count("answers"), 2920);
    }
);
