//! Reading markup (the pages' HTML, the SVG charts, the mails' HTML parts) the way the
//! tests need it: tags with their attributes, text with the entities askama and the SVG
//! writer produce decoded.

/// One tag of HTML or SVG: its name and attributes (entities decoded).
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

impl Tag {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads markup into its text (entities decoded, scripts and styles left out) and tags.
pub fn parse_markup(body: &str) -> (String, Vec<Tag>) {
    let mut text = String::new();
    let mut tags = Vec::new();
    let mut rest = body;
    let mut skip_until: Option<&str> = None;
    while let Some(lt) = rest.find('<') {
        if skip_until.is_none() {
            text.push_str(&decode(&rest[..lt]));
            text.push(' ');
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else { break };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        if let Some(end) = skip_until {
            if inner.trim_start_matches('/').eq_ignore_ascii_case(end) && inner.starts_with('/') {
                skip_until = None;
            }
            continue;
        }
        if let Some(closing) = inner.strip_prefix('/') {
            // Closing tags are kept (as `/name`) so a reader can tell what a form holds.
            tags.push(Tag {
                name: format!("/{}", closing.trim().to_ascii_lowercase()),
                attributes: Vec::new(),
            });
            continue;
        }
        if inner.starts_with('!') || inner.starts_with('?') {
            continue;
        }
        let tag = parse_tag(inner);
        for (name, value) in &tag.attributes {
            if matches!(name.as_str(), "title" | "alt" | "value" | "aria-label") {
                text.push(' ');
                text.push_str(value);
                text.push(' ');
            }
        }
        if matches!(tag.name.as_str(), "script" | "style") && !inner.ends_with('/') {
            skip_until = Some(if tag.name == "script" {
                "script"
            } else {
                "style"
            });
        }
        tags.push(tag);
    }
    if skip_until.is_none() {
        text.push_str(&decode(rest));
    }
    (text, tags)
}

/// The index of the `>` closing the tag at the start of `s`, outside quoted values.
pub fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') if i > 0 => quote = Some(c),
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

pub fn parse_tag(inner: &str) -> Tag {
    let inner = inner.trim_end_matches('/');
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let end = after[1..].find(q).map_or(after.len(), |e| e + 1);
                    (&after[1..end], after.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remaining.trim_start();
            decode(value)
        } else {
            String::new()
        };
        if !key.is_empty() {
            attributes.push((key, value));
        }
    }
    Tag { name, attributes }
}

/// Decodes the entities askama and our SVG writer produce, and numeric ones.
pub fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}
