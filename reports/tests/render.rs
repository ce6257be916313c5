//! Snapshots of the markup renderers over a fixed page holding every kind of block, and the
//! escaping of what users write.

use reports::markup::{Block, Figure, Page, Section, Table};

fn fixed_page() -> Page {
    let mut table = Table::new(&["strategy", "RTO p95", "P(meet)"]);
    table.row(vec!["pilot-light".into(), "1h 45m".into(), "99.1%".into()]);
    table.row(vec!["multi-site".into(), "5m 28s".into(), "99.4%".into()]);
    let mut section = Section::new("Region loss <one> & two");
    section.blocks.push(Block::Paragraph {
        text: "Pick: pilot-light — $366.17/month".into(),
        strong: true,
    });
    section
        .text("Plain text with *stars*, _underscores_, a | pipe and <b>tags</b> & an ampersand.");
    section
        .blocks
        .push(Block::Bullets(vec!["one".into(), "two [link](x)".into()]));
    section.blocks.push(Block::Table(table.clone()));
    section.blocks.push(Block::Figure(Figure {
        title: "A plot".into(),
        svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"></svg>".into(),
        caption: "What it shows".into(),
        data: table,
    }));
    section.blocks.push(Block::Note("Too close to call".into()));
    section
        .blocks
        .push(Block::Code("drsim report --seed 1".into()));
    Page {
        title: "<script>alert(\"x\")</script> & Co".into(),
        subtitle: vec!["drsim 0.1.0 · seed 1".into()],
        sections: vec![section],
    }
}

#[test]
fn markdown_snapshot() {
    let text = reports::markdown::render(&fixed_page()).expect("renders");
    insta::assert_snapshot!("markdown", text);
}

#[test]
fn html_snapshot() {
    let text = reports::html::render(&fixed_page()).expect("renders");
    insta::assert_snapshot!("html", text);
}

#[test]
fn user_text_is_escaped_in_both_markup_formats() {
    let page = fixed_page();
    let html = reports::html::render(&page).expect("renders");
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co"));
    assert!(!html.contains("<b>tags</b>"));
    let md = reports::markdown::render(&page).expect("renders");
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("&lt;script&gt;"));
    assert!(md.contains("a \\| pipe"));
}

#[test]
fn markdown_is_cut_to_fit_a_job_summary() {
    let mut table = Table::new(&["setting", "value"]);
    for i in 0..20_000 {
        table.row(vec![format!("setting number {i}"), format!("{i}")]);
    }
    let mut section = Section::new("Big");
    section.blocks.push(Block::Table(table));
    let page = Page {
        title: "Big".into(),
        subtitle: Vec::new(),
        sections: vec![section],
    };
    let md = reports::markdown::render(&page).expect("renders");
    assert!(md.chars().count() <= reports::markdown::MAX_CHARS);
    assert!(md.contains("more rows (the JSON output has them all)"));
}
