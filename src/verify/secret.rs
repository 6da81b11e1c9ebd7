//! A string that must never be printed: client secrets, private keys, JWTs,
//! access tokens. `Debug` and `Display` show only [`crate::redact::mask`].

use std::fmt;

/// A secret value. The only way to read it is [`Secret::expose`], which keeps
/// every use greppable.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for sending it where it belongs (never for output).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The masked form: a short prefix and the length.
    pub fn masked(&self) -> String {
        crate::redact::mask(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_mask() {
        let s = Secret::new("p8e-ABCDEFGHIJKLMNOPQRSTUVWXYZ123456");
        assert_eq!(format!("{s}"), "p8e-…[redacted, 36 chars]");
        assert!(!format!("{s:?}").contains("ABCDEFGH"));
        assert_eq!(s.expose().len(), 36);
    }
}
