//! GitHub-flavoured Markdown for pull requests and CI job summaries: the headline first, tables
//! rather than plots (a figure becomes its data table), at most [`MAX_CHARS`] characters (long
//! tables are cut, saying how many rows were left out and where to find them).

use std::fmt::Write as _;

use crate::markup::{Block, Page, Table};

/// GitHub's limit for a job summary or a comment.
pub const MAX_CHARS: usize = 65_536;

/// Renders a page, cutting long tables until it fits.
pub fn render(page: &Page) -> anyhow::Result<String> {
    for max_rows in [usize::MAX, 60, 25, 10, 3] {
        let text = render_with(page, max_rows)?;
        if text.chars().count() <= MAX_CHARS {
            return Ok(text);
        }
    }
    // Still too long: cut at the limit, on a line boundary.
    let text = render_with(page, 3)?;
    let mut cut: String = text.chars().take(MAX_CHARS - 200).collect();
    if let Some(end) = cut.rfind('\n') {
        cut.truncate(end + 1);
    }
    cut.push_str("\n… (cut to fit 65,536 characters: the JSON output has everything)\n");
    Ok(cut)
}

/// Text with Markdown's special characters escaped (and HTML's, which GitHub renders).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

fn render_with(page: &Page, max_rows: usize) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "# {}\n", escape(&page.title))?;
    for line in &page.subtitle {
        writeln!(out, "{}  ", escape(line))?;
    }
    if !page.subtitle.is_empty() {
        writeln!(out)?;
    }
    for section in &page.sections {
        writeln!(out, "## {}\n", escape(&section.heading))?;
        for block in &section.blocks {
            match block {
                Block::Paragraph { text, strong } => {
                    if *strong {
                        writeln!(out, "**{}**\n", escape(text))?;
                    } else {
                        writeln!(out, "{}\n", escape(text))?;
                    }
                }
                Block::Bullets(items) => {
                    for item in items {
                        writeln!(out, "- {}", escape(item))?;
                    }
                    writeln!(out)?;
                }
                Block::Table(table) => table_md(&mut out, table, max_rows)?,
                Block::Figure(figure) => {
                    writeln!(
                        out,
                        "**{}** — {}\n",
                        escape(&figure.title),
                        escape(&figure.caption)
                    )?;
                    table_md(&mut out, &figure.data, max_rows)?;
                }
                Block::Note(text) => writeln!(out, "> **Note** {}\n", escape(text))?,
                Block::Code(text) => writeln!(out, "```\n{}\n```\n", text.replace("```", "'''"))?,
            }
        }
    }
    Ok(out)
}

fn table_md(out: &mut String, table: &Table, max_rows: usize) -> std::fmt::Result {
    if table.headers.is_empty() {
        return Ok(());
    }
    let cells = |row: &[String]| -> String {
        let escaped: Vec<String> = row.iter().map(|c| escape(c)).collect();
        format!("| {} |", escaped.join(" | "))
    };
    writeln!(out, "{}", cells(&table.headers))?;
    let rule: Vec<&str> = (0..table.headers.len())
        .map(|i| {
            if table.numeric.get(i).copied().unwrap_or(false) {
                "---:"
            } else {
                "---"
            }
        })
        .collect();
    writeln!(out, "| {} |", rule.join(" | "))?;
    for row in table.rows.iter().take(max_rows) {
        writeln!(out, "{}", cells(row))?;
    }
    if table.rows.len() > max_rows {
        writeln!(
            out,
            "\n… {} more rows (the JSON output has them all)",
            table.rows.len() - max_rows
        )?;
    } else if let Some(more) = &table.more {
        writeln!(out, "\n{}", escape(more))?;
    }
    writeln!(out)
}
