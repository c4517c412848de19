//! Reading markup into a tree (`common::markup` reads the tags): elements with attributes and
//! children, text with entities decoded.

use super::*;

#[derive(Debug, Default)]
pub(super) struct Element {
    pub(super) name: String,
    pub(super) attributes: Vec<(String, String)>,
    pub(super) children: Vec<Node>,
}

#[derive(Debug)]
pub(super) enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    /// Every element below (and including) this one, in document order.
    pub(super) fn all(&self) -> Vec<&Element> {
        let mut out = vec![self];
        for c in &self.children {
            if let Node::Element(e) = c {
                out.extend(e.all());
            }
        }
        out
    }

    pub(super) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The text of the element, its descendants' included, with spaces between nodes.
    pub(super) fn text(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => out.push_str(&e.text()),
            }
            out.push(' ');
        }
        squash(&out)
    }

    /// The element's own text nodes (not its children's), one string each.
    pub(super) fn own_texts(&self) -> impl Iterator<Item = &str> {
        self.children.iter().filter_map(|c| match c {
            Node::Text(t) if !t.trim().is_empty() => Some(t.as_str()),
            _ => None,
        })
    }

    pub(super) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) const VOID: [&str; 10] = [
    "br", "img", "input", "meta", "link", "hr", "col", "source", "wbr", "area",
];

/// Parses HTML or SVG into a tree under a root element named `#root`; scripts and styles
/// are kept as elements without text.
pub(super) fn parse(body: &str) -> Element {
    let mut stack: Vec<Element> = vec![Element {
        name: "#root".into(),
        ..Element::default()
    }];
    let mut rest = body;
    let close = |stack: &mut Vec<Element>| {
        let e = stack.pop().unwrap();
        stack.last_mut().unwrap().children.push(Node::Element(e));
    };
    while let Some(lt) = rest.find('<') {
        let text = &rest[..lt];
        let raw = matches!(
            stack.last().map(|e| e.name.as_str()),
            Some("script" | "style")
        );
        if !text.is_empty() && !raw {
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Text(decode(text)));
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            stack
                .last_mut()
                .unwrap()
                .children
                .push(Node::Text(after[..end].to_owned()));
            rest = after.get(end + 3..).unwrap_or("");
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        if let Some(name) = inner.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            if stack.iter().skip(1).any(|e| e.name == name) {
                while stack.last().unwrap().name != name {
                    close(&mut stack);
                }
                close(&mut stack);
            }
            continue;
        }
        let self_closing = inner.ends_with('/');
        let tag = parse_tag(inner);
        let e = Element {
            name: tag.name,
            attributes: tag.attributes,
            children: Vec::new(),
        };
        let void = self_closing || VOID.contains(&e.name.as_str());
        stack.push(e);
        if void {
            close(&mut stack);
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().unwrap()
}
