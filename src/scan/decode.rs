//! Text encodings of scanned files, told by their byte order mark.
//!
//! Rules match UTF-8 (invalid bytes are matched as they are). A UTF-16 or
//! UTF-32 file is full of NUL bytes and would be taken for binary, so when it
//! starts with a BOM it is transcoded to UTF-8 first: line breaks map one to
//! one, so findings keep their line numbers, and columns count characters of
//! the decoded text. Unpaired surrogates and invalid code points become
//! U+FFFD. A UTF-8 BOM is dropped so that it shifts no span or column. Wide
//! text without a BOM stays binary (it is counted as such).

/// How many leading bytes are checked for a NUL byte (binary detection).
pub const BINARY_PROBE: usize = 8 * 1024;

/// A file's encoding, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (or anything without a BOM); `bom` when it starts with one.
    Utf8 {
        bom: bool,
    },
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Encoding {
    /// Reads the BOM at the start of `head` (at least its first 4 bytes
    /// when the file has them).
    pub fn sniff(head: &[u8]) -> Encoding {
        match head {
            [0xFF, 0xFE, 0, 0, ..] => Encoding::Utf32Le,
            [0, 0, 0xFE, 0xFF, ..] => Encoding::Utf32Be,
            [0xFF, 0xFE, ..] => Encoding::Utf16Le,
            [0xFE, 0xFF, ..] => Encoding::Utf16Be,
            [0xEF, 0xBB, 0xBF, ..] => Encoding::Utf8 { bom: true },
            _ => Encoding::Utf8 { bom: false },
        }
    }

    /// Length of the BOM in bytes.
    pub fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8 { bom: false } => 0,
            Encoding::Utf8 { bom: true } => 3,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            Encoding::Utf32Le | Encoding::Utf32Be => 4,
        }
    }

    /// Whether the text must be transcoded (UTF-16 or UTF-32).
    pub fn is_wide(self) -> bool {
        !matches!(self, Encoding::Utf8 { .. })
    }
}

/// Whether `text` looks binary: a NUL byte in its first [`BINARY_PROBE`]
/// bytes.
pub fn looks_binary(text: &[u8]) -> bool {
    memchr::memchr(0, &text[..text.len().min(BINARY_PROBE)]).is_some()
}

/// Transcodes `raw` (a whole file, BOM included) from the wide `encoding`
/// to UTF-8 into `out`, which is cleared first.
pub fn transcode(encoding: Encoding, raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let body = raw.get(encoding.bom_len()..).unwrap_or_default();
    out.reserve(body.len() + body.len() / 2);
    let mut push = |c: char| {
        let mut buf = [0; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    match encoding {
        Encoding::Utf8 { .. } => out.extend_from_slice(body),
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let le = encoding == Encoding::Utf16Le;
            let units = body.chunks(2).map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                // An odd trailing byte is not a character.
                _ => 0xFFFD,
            });
            for c in char::decode_utf16(units) {
                push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
            }
        }
        Encoding::Utf32Le | Encoding::Utf32Be => {
            let le = encoding == Encoding::Utf32Le;
            for c in body.chunks(4) {
                let v = match c {
                    [a, b, c, d] if le => u32::from_le_bytes([*a, *b, *c, *d]),
                    [a, b, c, d] => u32::from_be_bytes([*a, *b, *c, *d]),
                    _ => 0xFFFD,
                };
                push(char::from_u32(v).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
        }
    }
}

/// The text rules should see in `raw` (a whole file): after a UTF-8 BOM,
/// or transcoded into `scratch`; `None` when it looks binary.
pub fn text_of<'a>(raw: &'a [u8], scratch: &'a mut Vec<u8>) -> Option<&'a [u8]> {
    let encoding = Encoding::sniff(raw);
    let text = if encoding.is_wide() {
        transcode(encoding, raw, scratch);
        &scratch[..]
    } else {
        &raw[encoding.bom_len()..]
    };
    (!looks_binary(text)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool) -> Vec<u8> {
        let mut v = if le {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for u in s.encode_utf16() {
            v.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        v
    }

    #[test]
    fn boms_are_read() {
        assert_eq!(
            Encoding::sniff(b"\xEF\xBB\xBFa"),
            Encoding::Utf8 { bom: true }
        );
        assert_eq!(Encoding::sniff(b"\xFF\xFEa\0"), Encoding::Utf16Le);
        assert_eq!(Encoding::sniff(b"\xFE\xFF\0a"), Encoding::Utf16Be);
        assert_eq!(Encoding::sniff(b"\xFF\xFE\0\0"), Encoding::Utf32Le);
        assert_eq!(Encoding::sniff(b"\0\0\xFE\xFF"), Encoding::Utf32Be);
        assert_eq!(Encoding::sniff(b"ab"), Encoding::Utf8 { bom: false });
        assert_eq!(Encoding::sniff(b""), Encoding::Utf8 { bom: false });
    }

    #[test]
    fn wide_text_is_transcoded_line_for_line() {
        let s = "x = 1\r\nurl = \"/ims/exchange/jwt\" é 😀\n";
        let mut scratch = Vec::new();
        for le in [true, false] {
            let raw = utf16(s, le);
            assert!(looks_binary(&raw));
            assert_eq!(text_of(&raw, &mut scratch), Some(s.as_bytes()));
        }
        let mut raw32 = vec![0xFF, 0xFE, 0, 0];
        raw32.extend(s.chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(text_of(&raw32, &mut scratch), Some(s.as_bytes()));
    }

    #[test]
    fn bad_wide_text_is_replaced_not_rejected() {
        // An unpaired surrogate and an odd trailing byte.
        let raw = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0, b'c'];
        let mut scratch = Vec::new();
        let text = text_of(&raw, &mut scratch).expect("text");
        assert_eq!(String::from_utf8_lossy(text), "a\u{FFFD}b\u{FFFD}");
        // Wide text that decodes to NULs is still binary.
        assert_eq!(text_of(&[0xFF, 0xFE, 0, 0, 0, 0, 0, 0], &mut scratch), None);
    }

    #[test]
    fn utf8_bom_is_dropped_and_nul_is_binary() {
        let mut scratch = Vec::new();
        assert_eq!(text_of(b"\xEF\xBB\xBFab", &mut scratch), Some(&b"ab"[..]));
        assert_eq!(text_of(b"a\0b", &mut scratch), None);
        let late_nul = [vec![b'a'; BINARY_PROBE], vec![0]].concat();
        assert!(text_of(&late_nul, &mut scratch).is_some());
    }
}
