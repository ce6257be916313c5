//! A small YAML tree and its block-style writer, for CloudFormation templates. Intrinsic
//! functions are written in their long form (`Ref:`, `Fn::Sub:`), so the output is plain YAML
//! with no tags. Every string is written double-quoted with JSON escapes (a subset of YAML's),
//! so no value can be read back as another type or break the document.

use std::fmt::Write;

/// A YAML node: an ordered mapping, a sequence, or a scalar.
#[derive(Clone, Debug, PartialEq)]
pub enum Y {
    Str(String),
    Int(i64),
    Bool(bool),
    Seq(Vec<Y>),
    Map(Vec<(String, Y)>),
}

/// A string scalar.
pub fn s(text: impl Into<String>) -> Y {
    Y::Str(text.into())
}

/// An integer scalar.
pub fn int(n: i64) -> Y {
    Y::Int(n)
}

/// A mapping from `(key, value)` pairs, in order.
pub fn map<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Y)>) -> Y {
    Y::Map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// A sequence.
pub fn seq(items: impl IntoIterator<Item = Y>) -> Y {
    Y::Seq(items.into_iter().collect())
}

/// `Ref: name`.
pub fn r#ref(name: &str) -> Y {
    map([("Ref", s(name))])
}

/// `Fn::Sub: text`.
pub fn sub(text: &str) -> Y {
    map([("Fn::Sub", s(text))])
}

/// `Fn::GetAtt: [resource, attribute]`.
pub fn get_att(resource: &str, attribute: &str) -> Y {
    map([("Fn::GetAtt", seq([s(resource), s(attribute)]))])
}

/// `Fn::If: [condition, then, else]`.
pub fn if_(condition: &str, then: Y, otherwise: Y) -> Y {
    map([("Fn::If", seq([s(condition), then, otherwise]))])
}

/// `Ref: AWS::NoValue`.
pub fn no_value() -> Y {
    r#ref("AWS::NoValue")
}

impl Y {
    /// The value at `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::Map(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a path of mapping keys.
    pub fn at(&self, path: &[&str]) -> Option<&Y> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    /// Adds (or replaces) `key` in a mapping; does nothing to other nodes.
    pub fn set(&mut self, key: &str, value: Y) {
        if let Y::Map(pairs) = self {
            match pairs.iter_mut().find(|(k, _)| k == key) {
                Some((_, v)) => *v = value,
                None => pairs.push((key.to_string(), value)),
            }
        }
    }

    /// The document as block YAML, ending with a newline.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match self {
            Y::Map(pairs) if !pairs.is_empty() => write_map(&mut out, pairs, 0),
            Y::Seq(items) if !items.is_empty() => write_seq(&mut out, items, 0),
            scalar => {
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
        out
    }
}

fn quote(text: &str) -> String {
    // JSON string escapes are valid in YAML double-quoted scalars.
    serde_json::Value::String(text.to_string()).to_string()
}

fn key(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-' | '.'))
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && !text.ends_with(':');
    if plain { text.to_string() } else { quote(text) }
}

fn inline(node: &Y) -> String {
    match node {
        Y::Str(text) => quote(text),
        Y::Int(n) => n.to_string(),
        Y::Bool(b) => b.to_string(),
        Y::Seq(_) => "[]".to_string(),
        Y::Map(_) => "{}".to_string(),
    }
}

fn is_block(node: &Y) -> bool {
    match node {
        Y::Seq(items) => !items.is_empty(),
        Y::Map(pairs) => !pairs.is_empty(),
        _ => false,
    }
}

fn write_map(out: &mut String, pairs: &[(String, Y)], indent: usize) {
    for (i, (k, v)) in pairs.iter().enumerate() {
        // The first key of a mapping inside a sequence item follows the "- ".
        if i > 0 || indent == 0 || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&key(k));
        out.push(':');
        write_value(out, v, indent + 2);
    }
}

fn write_seq(out: &mut String, items: &[Y], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        match item {
            Y::Map(pairs) if !pairs.is_empty() => {
                out.push_str("- ");
                write_map(out, pairs, indent + 2);
            }
            Y::Seq(inner) if !inner.is_empty() => {
                out.push_str("-\n");
                write_seq(out, inner, indent + 2);
            }
            scalar => {
                out.push_str("- ");
                out.push_str(&inline(scalar));
                out.push('\n');
            }
        }
    }
}

fn write_value(out: &mut String, v: &Y, indent: usize) {
    if is_block(v) {
        out.push('\n');
        match v {
            Y::Map(pairs) => write_map(out, pairs, indent),
            Y::Seq(items) => write_seq(out, items, indent),
            _ => {}
        }
    } else {
        let _ = writeln!(out, " {}", inline(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_blocks_and_quotes_every_string() {
        let doc = map([
            ("Z", seq([seq([s("n")])])),
            ("A", s("x: y")),
            (
                "B",
                seq([map([("K", int(1)), ("L", seq([s("a"), s("b")]))]), s("c")]),
            ),
            ("C", map([("Fn::Sub", s("${AWS::Region}\n"))])),
            ("D", seq([])),
            ("E", Y::Bool(true)),
        ]);
        assert_eq!(
            doc.to_yaml(),
            "Z:\n  -\n    - \"n\"\nA: \"x: y\"\nB:\n  - K: 1\n    L:\n      - \"a\"\n      - \"b\"\n  - \"c\"\nC:\n  Fn::Sub: \"${AWS::Region}\\n\"\nD: []\nE: true\n"
        );
    }
}
