//! jwt2oauth: find Adobe Service Account (JWT) credential usage and verify its
//! OAuth Server-to-Server replacement.
//!
//! The binary (`src/main.rs`) is a thin shell over this library: it parses the
//! command line, calls into [`commands`], and maps the result to an exit code.

pub mod baseline;
pub mod cli;
pub mod commands;
pub mod config;
pub mod correlate;
pub mod diagnostic;
pub mod emulator;
pub mod engine;
pub mod finding;
pub mod fix;
pub mod fleet;
pub mod gate;
pub mod ims;
pub mod merge;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod redact;
pub mod report;
pub mod repository;
pub mod rules;
pub mod scan;
pub mod suppress;
pub mod verify;
