//! Rules are data: YAML files under `rules/`, embedded in the binary, plus a
//! user's `--rules DIR`. This module parses ([`model`]), compiles
//! ([`compile`]) and loads ([`load`]) them.

pub mod compile;
pub mod examples;
pub mod explain;
pub mod load;
pub mod model;
pub mod reference;

pub use compile::{Node, NodeKind, Rule};
pub use load::{RuleError, RuleSet, load};
