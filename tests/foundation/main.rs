//! Foundation: storage on both backends, partnerships, rosters, templates, historic
//! import, health and the OpenAPI document — through the real HTTP API and the real CLI.

#[path = "../common/mod.rs"]
mod common;
#[path = "../mail/sink.rs"]
#[allow(dead_code)]
mod sink;

mod catalog;
mod demo;
mod health;
mod history;
mod metrics;
mod openapi;
mod partnership_life;
mod partnerships;
mod readme;
mod roster;
mod scale_versions;
mod templates;
mod upgrade;
