//! The outputs of `drsim check`: text for people, Markdown (the GitHub job summary), JUnit XML
//! (GitHub, GitLab and Jenkins test reports) and GitHub workflow-command annotations.

use std::fmt::Write;

use super::{Case, CheckReport};

/// A group of cases: a disaster type, or the monthly spend.
struct Suite<'a> {
    name: &'static str,
    /// Trials of a disaster type (`None` for the spend).
    trials: Option<u64>,
    cases: &'a [Case],
}

fn suites(report: &CheckReport) -> Vec<Suite<'_>> {
    let mut out: Vec<Suite<'_>> = report
        .disasters
        .iter()
        .map(|d| Suite {
            name: d.disaster,
            trials: Some(d.trials),
            cases: &d.cases,
        })
        .collect();
    if !report.spend_cases.is_empty() {
        out.push(Suite {
            name: "monthly-spend",
            trials: None,
            cases: &report.spend_cases,
        });
    }
    out
}

fn status_word(case: &Case) -> &'static str {
    match case.status {
        "passed" => "pass",
        "failed" => "FAIL",
        _ => "skip",
    }
}

fn verdict(report: &CheckReport) -> String {
    if report.passed {
        format!("PASSED: {} meets every check", report.strategy)
    } else {
        format!(
            "FAILED: {} of {} checks of {} failed",
            report.failures,
            suites(report).iter().map(|d| d.cases.len()).sum::<usize>(),
            report.strategy
        )
    }
}

/// Plain text.
pub fn text(report: &CheckReport) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "drsim {} check — {} ({}), {} trials, seed {}, scenario {}",
        report.drsim_version,
        report.strategy,
        report.scenario.name,
        report.trials,
        report.seed,
        report.scenario.file
    );
    let _ = writeln!(
        out,
        "an objective passes when the lower end of the 95% interval of P(meet) is at least {:.0}%",
        100.0 * report.confidence
    );
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "baseline {} ({} trials, seed {}){}",
            b.file,
            b.trials,
            b.seed,
            if b.scenario_changed {
                "; the scenario changed since"
            } else {
                ""
            }
        );
    }
    if let Some(spend) = &report.monthly_spend {
        let _ = writeln!(out, "monthly DR spend of {}: ${spend}", report.strategy);
    }
    for d in suites(report) {
        match d.trials {
            Some(trials) => {
                let _ = writeln!(out, "\n{} ({trials} trials)", d.name);
            }
            None => {
                let _ = writeln!(out, "\n{}", d.name);
            }
        }
        for c in d.cases {
            let _ = writeln!(out, "  {:<4} {:<20} {}", status_word(c), c.name, c.message);
            if let Some(note) = &c.note {
                let _ = writeln!(out, "       {:<20} note: {note}", "");
            }
        }
    }
    let _ = writeln!(out, "\n{}", verdict(report));
    out
}

/// Markdown, for GITHUB_STEP_SUMMARY (and `--format markdown`).
pub fn markdown(report: &CheckReport) -> String {
    let mut out = String::new();
    let icon = if report.passed { "✅" } else { "❌" };
    let _ = writeln!(out, "## {icon} drsim check: {}\n", verdict(report));
    let _ = writeln!(
        out,
        "Scenario **{}** (`{}`), strategy **{}**, {} trials, seed {}; an objective passes when the lower end of the 95% interval of P(meet) is at least {:.0}%.",
        md(&report.scenario.name),
        md(&report.scenario.file),
        report.strategy,
        report.trials,
        report.seed,
        100.0 * report.confidence
    );
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "Baseline `{}` ({} trials, seed {}){}.",
            md(&b.file),
            b.trials,
            b.seed,
            if b.scenario_changed {
                "; the scenario changed since"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(out, "\n| disaster | check | result | numbers |");
    let _ = writeln!(out, "|---|---|---|---|");
    if let Some(spend) = &report.monthly_spend {
        let _ = writeln!(out, "\nMonthly DR spend: ${spend}.");
    }
    for d in suites(report) {
        for c in d.cases {
            let result = match c.status {
                "passed" => "✅ pass",
                "failed" => "❌ **fail**",
                _ => "➖ skip",
            };
            let numbers = match &c.note {
                Some(note) => format!("{} — _{}_", md(&c.message), md(note)),
                None => md(&c.message),
            };
            let _ = writeln!(out, "| {} | {} | {result} | {numbers} |", d.name, c.name);
        }
    }
    out.push('\n');
    out
}

/// Markdown-safe table cell text.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// XML attribute/text escaping.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && c != '\t' => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a `<testsuite>` per disaster type, a `<testcase>` per check, `<failure>` with the
/// numbers, `<skipped>` for types that do not happen. The shape GitHub (e.g. test-reporter
/// actions), GitLab (`artifacts:reports:junit`) and Jenkins (`junit` step) read.
pub fn junit(report: &CheckReport) -> String {
    let suites = suites(report);
    let count = |f: &dyn Fn(&Case) -> bool| -> usize {
        suites.iter().flat_map(|d| d.cases).filter(|c| f(c)).count()
    };
    let tests = count(&|_| true);
    let failures = count(&|c| c.status == "failed");
    let skipped = count(&|c| c.status == "skipped");
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"drsim check\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">"
    );
    for d in &suites {
        let failures = d.cases.iter().filter(|c| c.status == "failed").count();
        let skipped = d.cases.iter().filter(|c| c.status == "skipped").count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            xml(d.name),
            d.cases.len()
        );
        let _ = writeln!(out, "    <properties>");
        for (name, value) in [
            ("strategy", report.strategy.to_string()),
            ("scenario", report.scenario.file.clone()),
            ("seed", report.seed.to_string()),
            (
                "trials",
                d.trials.map_or_else(String::new, |t| t.to_string()),
            ),
        ] {
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                xml(&value)
            );
        }
        let _ = writeln!(out, "    </properties>");
        for c in d.cases {
            let _ = write!(
                out,
                "    <testcase classname=\"drsim.{}.{}\" name=\"{}\" time=\"0\"",
                xml(report.strategy),
                xml(d.name),
                xml(c.name)
            );
            match c.status {
                "failed" => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        xml(&c.message),
                        xml(c.kind),
                        xml(&c.message)
                    );
                }
                "skipped" => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml(&c.message)
                    );
                }
                _ => match &c.note {
                    Some(note) => {
                        let _ = writeln!(
                            out,
                            ">\n      <system-out>{}: {}</system-out>\n    </testcase>",
                            xml(&c.message),
                            xml(note)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "/>");
                    }
                },
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Where a dotted key is set in a TOML text: its 1-based line, trying the key, then its
/// parents (an objective set for one type, else for all). Reads `[table]` headers and
/// `key = …` / `dotted.key = …` lines, which is how scenario files set objectives.
pub fn key_line(text: &str, key: &str, fallbacks: &[&str]) -> Option<usize> {
    let mut table = String::new();
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = header.trim().trim_matches('[').trim().to_string();
            lines.push((table.clone(), i + 1));
            continue;
        }
        if let Some((k, _)) = line.split_once('=') {
            let k: String = k
                .trim()
                .split('.')
                .map(|s| s.trim().trim_matches('"'))
                .collect::<Vec<_>>()
                .join(".");
            let full = if table.is_empty() {
                k
            } else {
                format!("{table}.{k}")
            };
            lines.push((full, i + 1));
        }
    }
    std::iter::once(key)
        .chain(fallbacks.iter().copied())
        .find_map(|k| lines.iter().find(|(full, _)| full == k).map(|(_, l)| *l))
}

/// GitHub Actions workflow commands (`::error file=…,line=…::…`), one per failed case, pointing
/// at the scenario key behind it when the scenario file sets it.
pub fn annotations(report: &CheckReport, scenario_text: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for d in suites(report) {
        for c in d.cases.iter().filter(|c| c.status == "failed") {
            let title = format!("drsim check: {} {} {}", report.strategy, d.name, c.name);
            let location = c.key.as_deref().and_then(|key| {
                let text = scenario_text?;
                let shared = key.replace(&format!(".{}.", d.name), ".");
                let line = key_line(text, key, &[&shared])?;
                Some(format!(
                    "file={},line={line},",
                    property(&report.scenario.file)
                ))
            });
            out.push(format!(
                "::error {}title={}::{}",
                location.unwrap_or_default(),
                property(&title),
                data(&c.message)
            ));
        }
    }
    out
}

/// Escaping of a workflow command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of a workflow command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_in_tables_and_dotted() {
        let text = "name = \"x\"\n[objectives]\nrto = \"4h\"\nransomware.rpo = \"1d\"\n\n[objectives.corruption]\n# c\nrto = \"8h\"\n";
        assert_eq!(key_line(text, "objectives.rto", &[]), Some(3));
        assert_eq!(key_line(text, "objectives.ransomware.rpo", &[]), Some(4));
        assert_eq!(key_line(text, "objectives.corruption.rto", &[]), Some(8));
        assert_eq!(
            key_line(text, "objectives.region-loss.rto", &["objectives.rto"]),
            Some(3)
        );
        assert_eq!(key_line(text, "objectives.rpo", &[]), None);
    }

    #[test]
    fn escapes() {
        assert_eq!(xml("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
