//! Reading one scanned file, whatever sits at its path.
//!
//! A path the walker saw as a regular file may be something else by the time
//! it is opened (replaced by a FIFO, deleted, truncated). Files are opened
//! non-blocking, so opening a FIFO or a terminal never waits for a writer,
//! and checked to be regular files on the open handle before a byte is read.
//! Reads stop at the size the file had when opened.

use std::fs::{File, FileType, OpenOptions};
use std::io::{ErrorKind, Read};
use std::path::Path;

use super::decode::{Encoding, looks_binary};

/// The first read of a file: the whole of most source files, and all that is
/// read of a binary file (as ripgrep does, it is abandoned after one block).
const FIRST_BLOCK: usize = 64 * 1024;

/// What reading a file gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// The file's bytes are in `buf[..len]`, in `encoding`.
    Text {
        len: usize,
        encoding: Encoding,
    },
    Binary,
    TooLarge,
    /// Not a regular file (a FIFO, a device, a socket, a directory): never
    /// read. The string names what it is.
    NotRegular(&'static str),
}

/// Opens `path` for reading without blocking on FIFOs and devices.
pub fn open(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// What kind of file a non-regular file type is, for messages.
pub fn kind_name(t: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "directory"
    } else if t.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// Reads a file into `buf`: its first block, then (unless a NUL byte in
/// the first bytes after any BOM makes it binary) the rest. UTF-16/32 text
/// with a BOM is read whole: the caller transcodes it. Reads at most the
/// size the file had when opened, so a file growing meanwhile stays under
/// the cap, and needs no extra read to find the end.
pub fn read_file(path: &Path, max_filesize: u64, buf: &mut Vec<u8>) -> std::io::Result<Content> {
    let mut file = open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Ok(Content::NotRegular(kind_name(meta.file_type())));
    }
    let size = meta.len();
    if size > max_filesize {
        return Ok(Content::TooLarge);
    }
    let size = usize::try_from(size).map_err(|_| ErrorKind::OutOfMemory)?;
    if buf.len() < size {
        buf.resize(size, 0);
    }
    let first = read_into(&mut file, &mut buf[..size.min(FIRST_BLOCK)])?;
    let encoding = Encoding::sniff(&buf[..first]);
    if !encoding.is_wide() && looks_binary(&buf[encoding.bom_len().min(first)..first]) {
        return Ok(Content::Binary);
    }
    if first < size.min(FIRST_BLOCK) {
        // The file shrank since it was opened: it ends here.
        return Ok(Content::Text {
            len: first,
            encoding,
        });
    }
    let rest = read_into(&mut file, &mut buf[first..size])?;
    Ok(Content::Text {
        len: first + rest,
        encoding,
    })
}

/// Reads at most `limit` bytes of a small file (a `.git` pointer file),
/// non-blocking and only if it is a regular file.
pub fn read_small(path: &Path, limit: usize) -> Option<Vec<u8>> {
    let mut file = open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut buf = vec![0; limit];
    let n = read_into(&mut file, &mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}

/// Fills `dst` from `file` until it is full or the file ends; returns the
/// number of bytes read.
fn read_into(file: &mut File, dst: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < dst.len() {
        match file.read(&mut dst[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn fifos_and_devices_are_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("f");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let mut buf = Vec::new();
        if made.is_ok_and(|s| s.success()) {
            // No writer: a blocking open would wait forever.
            let got = read_file(&fifo, 1 << 20, &mut buf).expect("opens");
            assert_eq!(got, Content::NotRegular("FIFO"));
        }
        let got = read_file(Path::new("/dev/null"), 1 << 20, &mut buf).expect("opens");
        assert_eq!(got, Content::NotRegular("character device"));
        let got = read_file(dir.path(), 1 << 20, &mut buf).expect("opens");
        assert_eq!(got, Content::NotRegular("directory"));
        assert!(read_file(&dir.path().join("gone"), 1, &mut buf).is_err());
    }

    #[test]
    fn text_binary_and_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a");
        let mut buf = Vec::new();
        std::fs::write(&p, b"\xEF\xBB\xBFhello").expect("write");
        let got = read_file(&p, 100, &mut buf).expect("reads");
        let encoding = Encoding::Utf8 { bom: true };
        assert_eq!(got, Content::Text { len: 8, encoding });
        assert_eq!(
            read_file(&p, 7, &mut buf).expect("reads"),
            Content::TooLarge
        );
        std::fs::write(&p, b"\xFF\xFEa\0").expect("write");
        let got = read_file(&p, 100, &mut buf).expect("reads");
        let encoding = Encoding::Utf16Le;
        assert_eq!(got, Content::Text { len: 4, encoding });
        std::fs::write(&p, b"a\0b").expect("write");
        assert_eq!(
            read_file(&p, 100, &mut buf).expect("reads"),
            Content::Binary
        );
    }
}

/// A file's text for a second look (the cross-file pass), read into `buf`
/// (wide text transcoded into `decoded`); `None` for anything else: the
/// first read already listed errors and skips.
pub fn read_text<'b>(
    path: &Path,
    max_filesize: u64,
    buf: &'b mut Vec<u8>,
    decoded: &'b mut Vec<u8>,
) -> Option<&'b [u8]> {
    match read_file(path, max_filesize, buf) {
        Ok(Content::Text { len, .. }) => super::decode::text_of(&buf[..len], decoded),
        _ => None,
    }
}
