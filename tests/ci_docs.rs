//! docs/ci.md's examples work: the `drsim` commands of its baseline step, GitHub Actions workflow
//! and GitLab CI job run, in that order, on the scenario `drsim init` writes. The workflow and
//! the job must run the same `drsim` commands. Trial counts are lowered to keep the test small.

#![allow(clippy::unwrap_used)]

mod common;

use common::drsim;

/// The fenced blocks of a Markdown text: (info string, body).
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => current = Some((info.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The `drsim …` commands of a block, in order, as words: shell lines, YAML `run:` values and
/// script items.
fn drsim_commands(body: &str) -> Vec<Vec<String>> {
    body.lines()
        .map(|l| {
            let l = l.trim();
            let l = l.strip_prefix("- ").unwrap_or(l);
            l.strip_prefix("run: ").unwrap_or(l).trim()
        })
        .filter(|l| l.starts_with("drsim "))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

#[test]
fn the_documented_ci_sequence_runs() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap();
    let blocks = blocks(&text);
    let sh: Vec<_> = blocks
        .iter()
        .filter(|(i, b)| i == "sh" && b.contains("--save-baseline"))
        .collect();
    let yaml: Vec<_> = blocks.iter().filter(|(i, _)| i == "yaml").collect();
    assert_eq!(sh.len(), 1, "one baseline block");
    assert_eq!(yaml.len(), 2, "a GitHub workflow and a GitLab job");
    let github = drsim_commands(&yaml[0].1);
    let gitlab = drsim_commands(&yaml[1].1);
    assert!(yaml[0].1.contains("runs-on:") && yaml[1].1.contains("reports:"));
    assert!(!github.is_empty());
    assert_eq!(
        github, gitlab,
        "the workflow and the job run the same drsim commands"
    );

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let init = drsim()
        .current_dir(d)
        .args(["init", "drsim.toml"])
        .output()
        .unwrap();
    assert!(init.status.success());
    for command in drsim_commands(&sh[0].1).iter().chain(&github) {
        let args: Vec<String> = command[1..]
            .iter()
            .map(|w| {
                if w == "1000000" {
                    "20000".to_string()
                } else {
                    w.clone()
                }
            })
            .collect();
        let out = drsim()
            .current_dir(d)
            .args(&args)
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{command:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let junit = std::fs::read_to_string(d.join("drsim-junit.xml")).unwrap();
    let doc = roxmltree::Document::parse(&junit).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
    assert!(d.join("drsim-baseline.json").exists());
}
