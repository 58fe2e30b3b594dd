//! Small helpers over roxmltree for S3's XML: S3 answers use a default namespace, so elements are matched by local name.
use crate::core::checksum::Algorithm;
use roxmltree::{Document, Node};

pub(super) fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children().find(|n| n.is_element() && n.tag_name().name() == name)
}

pub(super) fn children<'a>(node: Node<'a, 'a>, name: &'a str) -> impl Iterator<Item = Node<'a, 'a>> + 'a {
    node.children().filter(move |n| n.is_element() && n.tag_name().name() == name)
}

pub(super) fn text(node: Node, name: &str) -> Option<String> {
    child(node, name).map(|n| n.text().unwrap_or_default().to_string())
}

pub(super) fn parse_num<T: std::str::FromStr>(node: Node, name: &str) -> Option<T> {
    text(node, name)?.trim().parse().ok()
}

pub(super) fn flag(node: Node, name: &str) -> bool {
    text(node, name).is_some_and(|t| t.trim() == "true")
}

/// The flexible checksum an element carries (`ChecksumCRC64NVME`, `ChecksumCRC32C` or `ChecksumCRC32`), if any.
pub(super) fn checksum(node: Node) -> Option<(Algorithm, String)> {
    Algorithm::ALL.into_iter().find_map(|a| text(node, a.xml_tag()).map(|v| (a, v)))
}

/// S3 echoes keys as they are, and XML 1.0 cannot carry control characters other than tab, CR and LF: they
/// become U+FFFD so the rest of the answer can be read (a key read from it then differs from ours, which is safe:
/// an upload of another key is never continued).
pub(super) fn readable(body: &str) -> std::borrow::Cow<'_, str> {
    let invalid = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    match body.contains(invalid) {
        true => body.replace(invalid, "\u{FFFD}").into(),
        false => body.into(),
    }
}

/// The root element if it has the expected name.
pub(super) fn root<'a>(doc: &'a Document<'a>, name: &str) -> Option<Node<'a, 'a>> {
    Some(doc.root_element()).filter(|r| r.tag_name().name() == name)
}

/// Escapes text for an XML element body (ETags hold quotes; keys may hold anything).
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}
