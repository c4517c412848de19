//! The drawing surface every chart uses: a typed list of shapes with numeric geometry and
//! plain-text labels, rendered by one askama template (`templates/charts/chart.svg`), so
//! every label — firm names, segment names, item ids — is escaped by askama and no chart
//! builds markup with `format!`.

use std::fmt;

use askama::Template;

/// An RGB colour, written `#rrggbb`. Colours come only from [`super::palette`] and
/// interpolations of it, never from user input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    /// `self` mixed with white: `amount` 0 is white, 1 is `self`.
    pub fn tint(self, amount: f64) -> Colour {
        let a = amount.clamp(0.0, 1.0);
        let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * a).round() as u8;
        Colour(mix(self.0), mix(self.1), mix(self.2))
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Where a text is anchored horizontally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// One shape. Classes are `'static` names of the chart stylesheet; text is plain text.
#[derive(Debug, Clone, PartialEq)]
pub enum Element {
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &'static str,
        fill: Option<Colour>,
        tip: Option<String>,
    },
    /// A cell drawn with the chart's "withheld" hatch pattern.
    Hatched {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        tip: String,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        class: &'static str,
    },
    Polyline {
        points: Vec<(f64, f64)>,
        class: &'static str,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        class: &'static str,
        tip: Option<String>,
    },
    Circle {
        cx: f64,
        cy: f64,
        r: f64,
        class: &'static str,
        tip: Option<String>,
    },
    Text {
        x: f64,
        y: f64,
        anchor: &'static str,
        class: &'static str,
        /// Rotated by −90° around (x, y): a vertical axis title.
        vertical: bool,
        fill: Option<Colour>,
        text: String,
    },
}

/// Rounds a coordinate to 0.1 px: smaller files, and output that does not depend on the
/// last bits of a floating-point computation.
pub fn px(v: f64) -> f64 {
    if v.is_finite() {
        (v * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// Rough width of a text in px for the chart font (no font measurement on the server; the
/// layouts leave room for the estimate to be off by a fifth).
pub fn text_width(text: &str, font_px: f64) -> f64 {
    text.chars().count() as f64 * font_px * 0.58
}

/// Shortens `text` to at most `max` characters, ending with "…" when cut.
pub fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A chart being drawn.
#[derive(Debug, Clone)]
pub struct Canvas {
    id: String,
    width: f64,
    height: f64,
    elements: Vec<Element>,
}

#[derive(Template)]
#[template(path = "charts/chart.svg")]
struct SvgDocument<'a> {
    id: &'a str,
    width: f64,
    height: f64,
    title: &'a str,
    desc: &'a str,
    elements: &'a [Element],
}

/// Keeps `[a-z0-9-]` of `raw` (lower-cased), so ids in one HTML page never clash with markup.
pub fn slug(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "chart".to_owned()
    } else {
        trimmed.to_owned()
    }
}

impl Canvas {
    /// A canvas of `width` × `height` px; `id` prefixes the ids inside the SVG (several charts
    /// share one HTML page).
    pub fn new(id: &str, width: f64, height: f64) -> Canvas {
        Canvas {
            id: slug(id),
            width: px(width),
            height: px(height),
            elements: Vec::new(),
        }
    }

    pub fn width(&self) -> f64 {
        self.width
    }

    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &'static str) {
        self.elements.push(Element::Rect {
            x: px(x),
            y: px(y),
            w: px(w.max(0.0)),
            h: px(h.max(0.0)),
            class,
            fill: None,
            tip: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn filled(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &'static str,
        fill: Colour,
        tip: Option<String>,
    ) {
        self.elements.push(Element::Rect {
            x: px(x),
            y: px(y),
            w: px(w.max(0.0)),
            h: px(h.max(0.0)),
            class,
            fill: Some(fill),
            tip,
        });
    }

    /// A withheld cell: hatched, with the reason as its tooltip; never a number.
    pub fn hatched(&mut self, x: f64, y: f64, w: f64, h: f64, reason: &str) {
        self.elements.push(Element::Hatched {
            x: px(x),
            y: px(y),
            w: px(w.max(0.0)),
            h: px(h.max(0.0)),
            tip: reason.to_owned(),
        });
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &'static str) {
        self.elements.push(Element::Line {
            x1: px(x1),
            y1: px(y1),
            x2: px(x2),
            y2: px(y2),
            class,
        });
    }

    pub fn polyline(&mut self, points: &[(f64, f64)], class: &'static str) {
        self.elements.push(Element::Polyline {
            points: points.iter().map(|(x, y)| (px(*x), px(*y))).collect(),
            class,
        });
    }

    pub fn polygon(&mut self, points: &[(f64, f64)], class: &'static str, tip: Option<String>) {
        self.elements.push(Element::Polygon {
            points: points.iter().map(|(x, y)| (px(*x), px(*y))).collect(),
            class,
            tip,
        });
    }

    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, class: &'static str, tip: Option<String>) {
        self.elements.push(Element::Circle {
            cx: px(cx),
            cy: px(cy),
            r: px(r),
            class,
            tip,
        });
    }

    pub fn text(&mut self, x: f64, y: f64, text: &str, anchor: Anchor, class: &'static str) {
        self.push_text(x, y, text, anchor, class, false, None);
    }

    /// Text in a given colour (labels inside coloured cells).
    pub fn text_in(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        anchor: Anchor,
        class: &'static str,
        fill: Colour,
    ) {
        self.push_text(x, y, text, anchor, class, false, Some(fill));
    }

    /// A vertical axis title, centred on (x, y).
    pub fn vertical_text(&mut self, x: f64, y: f64, text: &str, class: &'static str) {
        self.push_text(x, y, text, Anchor::Middle, class, true, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_text(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        anchor: Anchor,
        class: &'static str,
        vertical: bool,
        fill: Option<Colour>,
    ) {
        self.elements.push(Element::Text {
            x: px(x),
            y: px(y),
            anchor: anchor.as_str(),
            class,
            vertical,
            fill,
            text: text.to_owned(),
        });
    }

    /// The SVG document, with `title` and `desc` for screen readers.
    pub fn render(&self, title: &str, desc: &str) -> Result<String, askama::Error> {
        SvgDocument {
            id: &self.id,
            width: self.width,
            height: self.height,
            title,
            desc,
            elements: &self.elements,
        }
        .render()
    }
}
