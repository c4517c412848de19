//! Analytics through the real path: partnerships made with the CLI, the fixture's answers
//! and KPIs imported with the CLI, the report read with `tandem report --json` (the real
//! binary) and over HTTP, and every shown record compared with `expected.json`.

#[path = "../common/mod.rs"]
mod common;
/// The reader of received mail (here of the `.eml` files the embedded default writes).
#[path = "../mail/sink.rs"]
#[allow(dead_code)]
mod sink;

mod attributes;
mod fixture;
mod inference;
mod portfolio;
mod region;
mod segments;

use fixture as analytics_fixture;
mod every_output;
mod interfaces;
mod linked_tables;
mod small_answers;
