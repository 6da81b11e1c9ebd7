//! The emulator's option values (`emulate --jwt-retired`, `--fault-scope`),
//! here so the emulator does not reach up into the CLI; `cli.rs` uses them.

use clap::ValueEnum;

/// How `--jwt-retired` answers JWT exchanges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetiredStyle {
    /// 400 invalid_client saying the credential type reached end of life.
    Eol,
    /// 400 invalid_token "Could not match JWT signature to any of the bindings",
    /// as for a credential whose certificate binding was removed.
    NoBinding,
}

/// Which endpoints fault injection applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FaultScope {
    /// Every /ims endpoint.
    All,
    /// Only the JWT exchange.
    Jwt,
    /// Only /ims/token/v2 and v3.
    Token,
    /// Only the Analytics endpoints (/discovery, /api).
    Analytics,
}
