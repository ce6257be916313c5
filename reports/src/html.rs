//! One self-contained HTML page: inline style (with print rules), inline SVG plots, no script,
//! font, image or style from anywhere else, so it works offline and can be mailed. Every string
//! from the user (scenario, tier, step names) is escaped; the plots' SVG comes from plotters,
//! which escapes its text.

use std::fmt::Write as _;

use crate::markup::{Block, Page, Table};

const STYLE: &str = "
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; margin: 2rem auto;
  max-width: 72rem; padding: 0 1.5rem; color: #1d2433; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d5dae3; padding-bottom: 0.2rem; }
.subtitle { color: #566074; margin: 0; font-size: 0.92rem; }
.headline { font-size: 1.1rem; font-weight: 600; background: #eef4ff; border-left: 4px solid #2f6fdf;
  padding: 0.6rem 0.9rem; }
.note { background: #fff7e0; border-left: 4px solid #d99a00; padding: 0.5rem 0.9rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.86rem; }
th, td { border: 1px solid #d5dae3; padding: 0.25rem 0.5rem; vertical-align: top; }
th { background: #f3f5f9; text-align: left; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
figure { margin: 1rem 0 1.6rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 0.88rem; color: #3b4457; margin-top: 0.3rem; }
details { margin-top: 0.4rem; font-size: 0.88rem; }
pre { background: #f3f5f9; padding: 0.6rem 0.9rem; overflow-x: auto; }
.more { color: #566074; font-size: 0.85rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  figure, table { break-inside: avoid; }
  details > summary { display: none; }
  details { display: block; }
  .headline, .note { background: none; }
}
";

/// Text escaped for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Renders a page.
pub fn render(page: &Page) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(out, "<title>{}</title>", escape(&page.title))?;
    writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>")?;
    writeln!(out, "<h1>{}</h1>", escape(&page.title))?;
    for line in &page.subtitle {
        writeln!(out, "<p class=\"subtitle\">{}</p>", escape(line))?;
    }
    for section in &page.sections {
        writeln!(out, "<section>\n<h2>{}</h2>", escape(&section.heading))?;
        for block in &section.blocks {
            match block {
                Block::Paragraph { text, strong } => {
                    if *strong {
                        writeln!(out, "<p class=\"headline\">{}</p>", escape(text))?;
                    } else {
                        writeln!(out, "<p>{}</p>", escape(text))?;
                    }
                }
                Block::Bullets(items) => {
                    writeln!(out, "<ul>")?;
                    for item in items {
                        writeln!(out, "<li>{}</li>", escape(item))?;
                    }
                    writeln!(out, "</ul>")?;
                }
                Block::Table(table) => table_html(&mut out, table)?,
                Block::Figure(figure) => {
                    writeln!(out, "<figure>")?;
                    out.push_str(&figure.svg);
                    writeln!(
                        out,
                        "\n<figcaption><strong>{}</strong> — {}</figcaption>",
                        escape(&figure.title),
                        escape(&figure.caption)
                    )?;
                    writeln!(out, "<details><summary>The numbers</summary>")?;
                    table_html(&mut out, &figure.data)?;
                    writeln!(out, "</details>\n</figure>")?;
                }
                Block::Note(text) => writeln!(out, "<p class=\"note\">{}</p>", escape(text))?,
                Block::Code(text) => writeln!(out, "<pre>{}</pre>", escape(text))?,
            }
        }
        writeln!(out, "</section>")?;
    }
    writeln!(out, "</body>\n</html>")?;
    Ok(out)
}

fn table_html(out: &mut String, table: &Table) -> std::fmt::Result {
    let class = |i: usize| {
        if table.numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    writeln!(out, "<table>\n<thead><tr>")?;
    for (i, h) in table.headers.iter().enumerate() {
        write!(out, "<th{}>{}</th>", class(i), escape(h))?;
    }
    writeln!(out, "</tr></thead>\n<tbody>")?;
    for row in &table.rows {
        write!(out, "<tr>")?;
        for (i, cell) in row.iter().enumerate() {
            // A line break in a cell (a quantile's standard error under it) is kept.
            write!(
                out,
                "<td{}>{}</td>",
                class(i),
                escape(cell).replace('\n', "<br>")
            )?;
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</tbody>\n</table>")?;
    if let Some(more) = &table.more {
        writeln!(out, "<p class=\"more\">{}</p>", escape(more))?;
    }
    Ok(())
}
