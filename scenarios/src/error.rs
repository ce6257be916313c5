//! Errors of scenario loading: each names the file, the key path, the line, what was expected and
//! how to fix it.

use std::fmt;
use std::ops::Range;

/// A scenario that cannot be used, and where and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The file name as the user gave it (or `<embedded reference scenario>`).
    pub file: String,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    /// Dotted key path, e.g. `database.write-rate`, when known.
    pub key: Option<String>,
    /// What is wrong, including what was expected.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets into 1-based (line, column) positions of one text.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
}

impl Source<'_> {
    /// 1-based line and column of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
        (line, column)
    }

    /// An error at `span` (if known) for `key`.
    pub fn error(
        &self,
        span: Option<Range<usize>>,
        key: &str,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError {
            file: self.file.to_string(),
            position: span.map(|s| self.position(s.start)),
            key: (!key.is_empty()).then(|| key.to_string()),
            message: tidy_numbers(&message.into()),
            help: None,
        }
    }
}

/// Writes numbers of more than 24 digits in messages with an exponent ("1e308", not 309
/// digits): they are echoes of a value the user wrote that way, or of a float beyond any sense.
pub fn tidy_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            let digits = run.chars().filter(char::is_ascii_digit).count();
            match run.trim_end_matches('.').parse::<f64>() {
                Ok(v) if digits > 24 => out.push_str(&format!("{v:e}")),
                _ => out.push_str(&run),
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

impl ScenarioError {
    /// The same error with advice on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
