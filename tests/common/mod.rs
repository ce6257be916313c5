//! Helpers shared by the CLI tests: the binary, and the runner of a folder of invalid inputs.
//!
//! A folder of invalid inputs holds, per case, one input file `NAME.EXT` and `NAME.expected`:
//! one substring of the expected message per line (`#` starts a comment line).

#![allow(dead_code, clippy::unwrap_used)]

use std::ffi::OsString;
use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;

pub fn drsim() -> assert_cmd::Command {
    cargo_bin_cmd!("drsim")
}

/// File names in a folder, sorted.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn expected(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<String> = text
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect();
    assert!(!lines.is_empty(), "{}: no expected lines", path.display());
    lines
}

/// Runs every case of `dir` as `drsim ARGS`, where `args(input file, scratch dir)` builds the
/// arguments, from inside `dir` so that messages name the file as typed. Each case must exit
/// with 2, print nothing on stdout, not panic, give a message containing every expected line,
/// and leave the scratch dir empty. All failures are reported together.
pub fn check_invalid_inputs(
    dir: &Path,
    min_cases: usize,
    args: impl Fn(&str, &Path) -> Vec<OsString>,
) {
    let names = entries(dir);
    let cases: Vec<&String> = names.iter().filter(|f| !f.ends_with(".expected")).collect();
    assert!(
        cases.len() >= min_cases,
        "only {} cases in {}",
        cases.len(),
        dir.display()
    );
    let stem = |f: &str| {
        Path::new(f)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    for f in names.iter().filter(|f| f.ends_with(".expected")) {
        assert!(
            cases.iter().any(|c| stem(c) == stem(f)),
            "stray file {f} in {}",
            dir.display()
        );
    }
    let mut failures = Vec::new();
    for case in &cases {
        let expected = expected(&dir.join(format!("{}.expected", stem(case))));
        let scratch = tempfile::tempdir().unwrap();
        let output = drsim()
            .current_dir(dir)
            .args(args(case, scratch.path()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let mut problems = Vec::new();
        if output.status.code() != Some(2) {
            problems.push(format!(
                "exit status {:?}, expected 2",
                output.status.code()
            ));
        }
        if !stdout.is_empty() {
            problems.push(format!("stdout is not empty: {stdout:.200}"));
        }
        if stderr.contains("panicked") {
            problems.push("drsim panicked".to_string());
        }
        let missing: Vec<&String> = expected
            .iter()
            .filter(|l| !stderr.contains(l.as_str()))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("stderr lacks {missing:?}"));
        }
        let left = entries(scratch.path());
        if !left.is_empty() {
            problems.push(format!("files were written: {left:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{case}:\n    {}\n    stderr: {}",
                problems.join("\n    "),
                stderr.trim_end()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} invalid inputs in {} misbehave:\n{}",
        failures.len(),
        cases.len(),
        dir.display(),
        failures.join("\n")
    );
}
