//! The integration tests: one test binary (linking the crate and its
//! dependencies once instead of once per file), one module per area, one
//! harness (`common` for scans, `support` for the verifier and emulator).
//! Each module drives the real `jwt2oauth` binary.

mod architecture;
mod common;
mod support;

mod bad_rules;
mod baseline;
mod browser;
mod config;
mod crosscheck;
mod detection;
mod determinism;
mod determinism_outputs;
mod diagnostics;
mod dist;
mod emulator;
mod fix;
mod fix_run;
mod fuzz;
mod gate;
mod git;
mod hostile;
mod hostile_io;
mod init;
mod org;
mod org_configs;
mod org_fleet;
mod perf_corpus;
mod regex_engines;
mod report;
mod report_secrets;
mod repos;
mod roots;
mod rules;
mod sarif;
mod scan;
mod secrets;
mod verify;
mod verify_analytics;
mod verify_fault_secrets;
mod verify_faults;
mod verify_leaks;
mod verify_redirects;
mod verify_token;
