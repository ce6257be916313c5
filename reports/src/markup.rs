//! The document model the Markdown and HTML renderers share: a page of sections holding
//! paragraphs, lists, tables and figures (an SVG plot with the table of its numbers). Every
//! string is plain text; the renderers escape it.

/// A whole document.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub title: String,
    /// Lines under the title (the run: version, seed, scenario).
    pub subtitle: Vec<String>,
    pub sections: Vec<Section>,
}

#[derive(Clone, Debug, Default)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

#[derive(Clone, Debug)]
pub enum Block {
    /// A paragraph; `strong` makes it the headline.
    Paragraph {
        text: String,
        strong: bool,
    },
    Bullets(Vec<String>),
    Table(Table),
    Figure(Figure),
    /// A warning or caveat, set apart.
    Note(String),
    /// Preformatted text (a command to copy).
    Code(String),
}

/// A table; cells are plain text.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Right-aligned columns (numbers).
    pub numeric: Vec<bool>,
    /// Said under the table when rows were left out to fit a size limit.
    pub more: Option<String>,
}

impl Table {
    /// A table whose first column is text and the others numbers.
    pub fn new(headers: &[&str]) -> Table {
        Table {
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            numeric: headers.iter().enumerate().map(|(i, _)| i > 0).collect(),
            more: None,
        }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// A plot and the numbers it draws.
#[derive(Clone, Debug)]
pub struct Figure {
    pub title: String,
    /// A complete `<svg>` element (plotters output: its text is already escaped).
    pub svg: String,
    /// What the plot shows, in a sentence.
    pub caption: String,
    pub data: Table,
}

impl Section {
    pub fn new(heading: &str) -> Section {
        Section {
            heading: heading.to_string(),
            blocks: Vec::new(),
        }
    }

    pub fn text(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Paragraph {
            text: text.into(),
            strong: false,
        });
    }
}
