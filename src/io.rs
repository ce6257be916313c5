//! The binary's file edges: bounded reading of input files and safe writing of outputs.
//!
//! Inputs (scenarios, catalogs) are read only when they are regular files no larger than a
//! stated limit (see `docs/limits.md`), so that `/dev/zero` or a FIFO cannot exhaust memory, and
//! text that is not UTF-8 is refused with its line and byte offset.
//!
//! Outputs are written through a temporary file in the target's directory, renamed into place,
//! and only onto a regular file (or a new one): a device node, a directory or a FIFO is never
//! replaced. A symbolic link is followed and its target written. New files get the mode any
//! other program would give them (0666 less the umask); a replaced file keeps its mode.

use std::fmt;
use std::fs::{File, Metadata};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Largest scenario file read, in bytes.
pub const MAX_SCENARIO_BYTES: u64 = 4 * 1024 * 1024;

/// Largest catalog file read, in bytes.
pub const MAX_CATALOG_BYTES: u64 = 64 * 1024 * 1024;

/// Why an input file was not read. Rendered as a sentence after the file name.
#[derive(Debug)]
pub enum ReadError {
    /// It could not be opened or read.
    Io(std::io::Error),
    /// It is not a regular file (a device, a FIFO, a directory, a socket).
    NotRegular(&'static str),
    /// It is larger than the limit.
    TooLarge { size: u64, limit: u64 },
    /// It is not UTF-8 text.
    NotUtf8 {
        line: usize,
        column: usize,
        offset: usize,
    },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular(kind) => write!(
                f,
                "it is {kind}, not a regular file; drsim reads only regular files"
            ),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is {} bytes, more than the limit of {} bytes (docs/limits.md)",
                pricing::group_thousands(*size),
                pricing::group_thousands(*limit)
            ),
            ReadError::NotUtf8 {
                line,
                column,
                offset,
            } => write!(
                f,
                "line {line}, column {column} (byte {offset}) is not valid UTF-8 text; save the file as UTF-8"
            ),
        }
    }
}

/// What kind of file `meta` describes, in words ("a character device").
pub fn kind_of(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_file() {
        "a regular file"
    } else if t.is_dir() {
        "a directory"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// Reads a regular UTF-8 text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta)));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let file = File::open(path).map_err(ReadError::Io)?;
    // The file may have been swapped or grown since: never read past the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..offset];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |nl| nl + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        ReadError::NotUtf8 {
            line,
            column,
            offset,
        }
    })
}

/// Why an output could not be written (exit 3).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "cannot write {path}: it is {kind}; drsim replaces only regular files\n  help: name a regular file, or a new one"
    )]
    NotRegular { path: String, kind: &'static str },
    #[error("cannot write {path}: {reason}")]
    Io { path: String, reason: String },
    #[error(
        "cannot write the report: standard output is closed\n  help: redirect it to a file (`> report.txt`), pass --out, or discard it with `> /dev/null`"
    )]
    StdoutClosed,
    #[error("cannot write to stdout: {0}")]
    Stdout(std::io::Error),
}

/// Follows symbolic links from `path` to the file they name (which may not exist yet).
fn resolve_links(path: &Path) -> Result<PathBuf, WriteError> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(&current).map_err(|e| WriteError::Io {
                    path: path.display().to_string(),
                    reason: e.to_string(),
                })?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(WriteError::Io {
        path: path.display().to_string(),
        reason: "too many levels of symbolic links".to_string(),
    })
}

/// Checks, before any work, that `path` could be written: it is a regular file, or does not
/// exist yet (through any symbolic links). The write itself checks again.
pub fn check_output(path: &Path) -> Result<(), WriteError> {
    let target = resolve_links(path)?;
    match std::fs::metadata(&target) {
        Ok(meta) if !meta.is_file() => Err(WriteError::NotRegular {
            path: path.display().to_string(),
            kind: kind_of(&meta),
        }),
        _ => Ok(()),
    }
}

/// Writes `text` to `path` atomically: a temporary file in the same directory renamed into
/// place. Refuses to replace anything but a regular file; writes a symbolic link's target.
pub fn write_file(path: &Path, text: &str) -> Result<(), WriteError> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(text.as_bytes())
        .map_err(|e| file.error(e.to_string()))?;
    file.commit()
}

/// An output written as a stream and put in place only when complete
/// ([`AtomicFile::commit`]): until then it is a hidden temporary file in the target's
/// directory, removed if the writer is dropped, so a failed run leaves nothing half-written.
pub struct AtomicFile {
    file: std::io::BufWriter<tempfile::NamedTempFile>,
    target: PathBuf,
    /// The permissions of the file it replaces.
    existing: Option<std::fs::Permissions>,
    shown: String,
}

impl AtomicFile {
    /// Opens the temporary file for `path`, refusing anything but a regular file or a new one.
    pub fn create(path: &Path) -> Result<AtomicFile, WriteError> {
        use std::os::unix::fs::PermissionsExt;
        let shown = path.display().to_string();
        let target = resolve_links(path)?;
        let existing = match std::fs::metadata(&target) {
            Ok(meta) if meta.is_file() => Some(meta.permissions()),
            Ok(meta) => {
                return Err(WriteError::NotRegular {
                    path: shown,
                    kind: kind_of(&meta),
                });
            }
            Err(_) => None,
        };
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // The mode is applied by open(2), so the umask applies as it does for any program.
        let file = tempfile::Builder::new()
            .prefix(".drsim-")
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(|e| WriteError::Io {
                path: shown.clone(),
                reason: format!("cannot create a file in {}: {e}", dir.display()),
            })?;
        Ok(AtomicFile {
            file: std::io::BufWriter::with_capacity(1 << 16, file),
            target,
            existing,
            shown,
        })
    }

    /// The error of a failed write to this file.
    pub fn error(&self, reason: String) -> WriteError {
        WriteError::Io {
            path: self.shown.clone(),
            reason,
        }
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(self) -> Result<(), WriteError> {
        let shown = self.shown;
        let fail = |reason: String| WriteError::Io {
            path: shown.clone(),
            reason,
        };
        let file = self
            .file
            .into_inner()
            .map_err(|e| fail(e.error().to_string()))?;
        file.as_file().sync_all().map_err(|e| fail(e.to_string()))?;
        if let Some(permissions) = self.existing {
            file.as_file()
                .set_permissions(permissions)
                .map_err(|e| fail(e.to_string()))?;
        }
        file.persist(&self.target)
            .map_err(|e| fail(e.error.to_string()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Writes `text` to standard output. A closed pipe (`| head`) is not an error; a closed
/// standard output (`>&-`) is, since the report would be lost.
pub fn write_stdout(text: &str) -> Result<(), WriteError> {
    if stdout_was_closed() {
        return Err(WriteError::StdoutClosed);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(WriteError::Stdout(e)),
        Ok(()) => Ok(()),
    }
}

/// Whether the process started with standard output closed. Rust's runtime reopens a closed
/// standard descriptor on `/dev/null` read-write before `main`, which is how it is recognised:
/// a shell's `> /dev/null` opens it write-only. (Linux; elsewhere this says no.)
fn stdout_was_closed() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() else {
        return true;
    };
    let Ok(meta) = File::from(fd).metadata() else {
        return true;
    };
    let Ok(null) = std::fs::metadata("/dev/null") else {
        return false;
    };
    if meta.rdev() != null.rdev() || meta.dev() != null.dev() || meta.ino() != null.ino() {
        return false;
    }
    // O_ACCMODE of the descriptor: 2 is O_RDWR.
    std::fs::read_to_string("/proc/self/fdinfo/1")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
        })
        .is_some_and(|flags| flags & 0o3 == 0o2)
}
