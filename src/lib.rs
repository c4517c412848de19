//! Tandem: periodic perception surveys across a customer–supplier partnership, turned into
//! leading indicators of the relationship's health.
//!
//! The binary (`src/main.rs`) only parses the command line; everything else lives here so
//! tests can reach it.

pub mod app;
pub mod auth;
pub mod bench;
pub mod charts;
pub mod cli;
pub mod db;
pub mod domain;
pub mod error;
pub mod flags;
pub mod goals;
pub mod i18n;
pub mod import;
pub mod mail;
pub mod metrics;
pub mod progress;
pub mod reports;
pub mod secrets;
pub mod server;
pub mod services;
pub mod stats;
pub mod survey_templates;
pub mod tabular;
pub mod waves;
pub mod web;
