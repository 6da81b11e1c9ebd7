//! Key material: certificate expiry (a real X.509 parser reads `notAfter`)
//! and dates written next to a key (a Console download's
//! `PUBLIC_KEYS_WITH_EXPIRY`). A certificate's expiry is a deadline of its
//! own: the credential stops working at the earlier of it and the rule's date.

use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use crate::finding::DeadlineInfo;

static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)(\d{4})-(\d{2})-(\d{2})(?-u:\b)").expect("static regex"));
static US_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(\d{1,2})/(\d{1,2})/(\d{4})(?-u:\b)").expect("static regex")
});

/// The first date written in `line` (`YYYY-MM-DD` or the Console's
/// `MM/DD/YYYY`).
pub fn date_in(line: &str) -> Option<Date> {
    let num = |s: &str| s.parse::<i16>().ok();
    if let Some(c) = US_DATE.captures(line) {
        let (m, d, y) = (num(&c[1])?, num(&c[2])?, num(&c[3])?);
        return Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok();
    }
    let c = ISO_DATE.captures(line)?;
    let (y, m, d) = (num(&c[1])?, num(&c[2])?, num(&c[3])?);
    Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// The earlier of a rule's deadline and `date` (labelled with `source`),
/// evaluated against `today`.
pub fn earlier(
    deadline: Option<DeadlineInfo>,
    date: Date,
    source: &str,
    today: Date,
    warn_days: i64,
) -> Option<DeadlineInfo> {
    match deadline {
        Some(d) if d.date <= date => Some(d),
        _ => Some(DeadlineInfo::evaluate(
            "certificate-expiry",
            date,
            source,
            today,
            warn_days,
        )),
    }
}

/// The `notAfter` date of the PEM certificate starting at byte `start` of
/// `text` (the `-----BEGIN CERTIFICATE-----` line), if it parses.
pub fn certificate_not_after(text: &[u8], start: usize) -> Option<Date> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(text.get(start..)?).ok()?;
    let cert = pem.parse_x509().ok()?;
    let secs = cert.validity().not_after.timestamp();
    let ts = jiff::Timestamp::from_second(secs).ok()?;
    Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_spellings() {
        assert_eq!(
            date_in(r#""abc": "11/30/2025""#),
            Some(jiff::civil::date(2025, 11, 30))
        );
        assert_eq!(
            date_in("expires 2026-01-15."),
            Some(jiff::civil::date(2026, 1, 15))
        );
        assert_eq!(date_in("13/45/2025"), None);
        assert_eq!(date_in("no date"), None);
    }

    #[test]
    fn earlier_keeps_the_first_date() {
        let today = jiff::civil::date(2025, 1, 1);
        let rule = DeadlineInfo::evaluate(
            "jwt-shutdown",
            jiff::civil::date(2026, 3, 1),
            "s",
            today,
            90,
        );
        let e = earlier(
            Some(rule.clone()),
            jiff::civil::date(2025, 11, 30),
            "cert",
            today,
            90,
        );
        assert_eq!(
            e.map(|d| (d.id, d.date)),
            Some(("certificate-expiry".into(), jiff::civil::date(2025, 11, 30)))
        );
        let e = earlier(Some(rule), jiff::civil::date(2027, 1, 1), "cert", today, 90);
        assert_eq!(e.map(|d| d.id), Some("jwt-shutdown".into()));
    }

    #[test]
    fn reads_a_real_certificate() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/corpus/keys/certificate_pub.crt"
        ))
        .expect("fixture");
        let d = certificate_not_after(&pem, 0).expect("parses");
        assert!(d.year() >= 2026, "{d}");
        assert_eq!(
            certificate_not_after(b"-----BEGIN CERTIFICATE-----\nnope\n", 0),
            None
        );
    }
}
