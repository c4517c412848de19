//! Survey templates: the TOML files that say what a wave asks, on which scale, in which words.
//!
//! A template file (`survey-templates/*.toml`, or an organisation's own folder) names its items,
//! the dimension each item belongs to, the five-point scale with its don't-know label, the wording
//! each side reads and optional open questions. [`parse`] turns a file into a trusted
//! [`SurveyTemplate`] or into a [`TemplateError`] that lists every problem of the file, each with
//! the file, the line, the item or dimension and what is wrong. [`Catalog`] holds the templates a
//! running service offers: the shipped ones, embedded in the binary, and those of a configured
//! folder, checked the same way.
//!
//! A template's version is the SHA-256 of its exact bytes and a wave stores the body it was run
//! with, so a report can always be read with the words the respondents saw.
//!
//! What this module must never do:
//! - read the shipped templates from the working directory at run time (they are compiled in);
//! - normalise, reformat or re-serialise a body: the stored bytes *are* the version;
//! - accept a file with any problem, or quietly skip a broken file in a custom folder;
//! - tighten a check so that a body stored with an earlier wave no longer parses through
//!   [`SurveyTemplate::from_stored`]: history must stay readable;
//! - depend on the rest of the crate (databases, web, mail): it is parsed data and nothing else.
//!
//! # The file format
//!
//! ```
//! let body = r#"
//! id = "pulse"
//! title = "Pulse"
//!
//! [scale]
//! kind = "agreement"
//! labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
//! dont_know = "Don't know"
//!
//! [[dimensions]]
//! id = "trust"
//! name = "Trust"
//!
//! [[items]]
//! id = "trust"
//! dimension = "trust"
//! customer = "We can trust {partner}."
//! supplier = "We can trust {partner}."
//!
//! [[open_questions]]
//! id = "changes"
//! optional = true
//! customer = "What has changed since the last survey?"
//! supplier = "What has changed since the last survey?"
//! "#;
//! let template = tandem::survey_templates::parse("pulse.toml", body).expect("a sound template");
//! let trust = template.item("trust").expect("declared");
//! assert_eq!(
//!     trust.wording_for(tandem::survey_templates::TemplateSide::Customer, "Acme"),
//!     "We can trust Acme."
//! );
//!
//! let typo = body.replace(r#"dimension = "trust""#, r#"dimension = "trsut""#);
//! let error = tandem::survey_templates::parse("pulse.toml", &typo).expect_err("a typo");
//! assert_eq!(
//!     error.to_string(),
//!     "pulse.toml:11:6: dimension \"trust\": no item belongs to this dimension\n\
//!      pulse.toml:16:13: item \"trust\": dimension \"trsut\" is not declared (declared: trust)"
//! );
//! ```
//!
//! # Meta items
//!
//! An item may declare `meta_of = "<item id>"`: it asks each firm how it thinks the *other* firm
//! answers that item ("How do you think {partner} would answer: …"). A meta item is stored and
//! aggregated like any item but is left out of every dimension's mean and agreement
//! ([`SurveyTemplate::dimension_items`]); the report pairs it with its item
//! ([`SurveyTemplate::meta_pairs`]) to measure each firm's meta-accuracy. It names an item of
//! the same file that is not itself a meta item, and an item has at most one meta item.
//!
//! `description` (of the template and of a dimension) may be left out; `optional` of an open
//! question defaults to true. The shipped files in `survey-templates/` start with a comment that
//! describes the format for people who write templates.
//!
//! # Translations
//!
//! The English text is the template's own; other languages sit beside it in
//! `[translations.<code>]` tables (`fr`, `de`, `es`) keyed by the same ids: `title`,
//! `description`, `[translations.<code>.scale]` with `labels` and `dont_know`, and
//! `[translations.<code>.dimensions|items|open_questions]` with one inline table per id. A
//! translation must cover every id and name no other, like every other check with its line and
//! column; [`SurveyTemplate::localized`] gives the template as a reader of one language sees it.
//! A body without translations (every body stored before they existed) is English only.
//!
//! # Wording and the `{partner}` placeholder
//!
//! Each item and open question has a `customer` wording, read by the customer firm's staff, who
//! are asked about the supplier, and a `supplier` wording, read by the supplier firm's staff, who
//! are asked about the customer. `{partner}` in a wording stands for the name of the *other* firm
//! and is replaced by [`Wording::render`]; no other `{…}` is allowed, so that a typo never reaches
//! a respondent as raw braces. Rendering returns plain text: escaping is the page's job.

mod catalog;
mod error;
mod parse;
mod translation;

pub use catalog::{
    Catalog, CatalogEntry, CatalogError, CatalogProblem, CheckReport, FileCheck,
    DEFAULT_TEMPLATE_ID,
};
pub use error::{EntryName, Location, Problem, ProblemKind, Subject, TemplateError};
pub use parse::parse;
use serde::Serialize;
pub use translation::Translation;

/// The text that [`Wording::render`] replaces with the partner firm's name.
pub const PARTNER_PLACEHOLDER: &str = "{partner}";

/// Which firm's staff read a wording. Kept here rather than borrowed from the domain so that this
/// module stands alone; converting is a one-line `match` at the call site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateSide {
    Customer,
    Supplier,
}

impl TemplateSide {
    pub const BOTH: [TemplateSide; 2] = [TemplateSide::Customer, TemplateSide::Supplier];

    /// The key that holds this side's wording in a template file.
    pub fn key(self) -> &'static str {
        match self {
            TemplateSide::Customer => "customer",
            TemplateSide::Supplier => "supplier",
        }
    }
}

impl std::fmt::Display for TemplateSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// A template that passed every check. The only ways to get one are [`parse`] and
/// [`SurveyTemplate::from_stored`], so holders can trust its ids, scale and wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SurveyTemplate {
    id: String,
    title: String,
    description: String,
    version: String,
    body: String,
    scale: Scale,
    dimensions: Vec<Dimension>,
    items: Vec<Item>,
    open_questions: Vec<OpenQuestion>,
    /// The `[translations.<code>]` tables, in the order of [`Language::ALL`]; empty for an English-only template
    /// (every body stored before translations existed).
    translations: Vec<Translation>,
    /// Everything the file declares, optional dimensions included; `dimensions`, `items` and
    /// `open_questions` above are what this variant asks.
    #[serde(skip)]
    declared: Box<Declared>,
    /// The optional dimensions this variant asks, in file order (empty: none).
    included: Vec<String>,
}

/// The file's full lists, kept so that a variant with other optional dimensions can be made.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Declared {
    dimensions: Vec<Dimension>,
    items: Vec<Item>,
    open_questions: Vec<OpenQuestion>,
}

/// The separator between a template's hash and the optional dimensions a variant includes in
/// a stored version (`<sha-256>+future`).
const VARIANT_SEPARATOR: char = '+';

impl SurveyTemplate {
    /// Re-reads the body a wave stored, refusing it when it does not hash to the version stored
    /// beside it: a report must never be drawn with words other than those of its wave.
    ///
    /// A version may name the optional dimensions the wave asked after the hash
    /// (`<sha-256>+future`, see [`SurveyTemplate::with_optional`]); a plain hash asks none.
    pub fn from_stored(version: &str, body: &str) -> Result<SurveyTemplate, TemplateError> {
        let short: String = version.chars().take(SHORT_VERSION_LEN).collect();
        let source = format!("stored template v{short}");
        let mut parts = version.split(VARIANT_SEPARATOR);
        let hash = parts.next().unwrap_or_default();
        let included: Vec<String> = parts.map(str::to_owned).collect();
        let template = parse(&source, body)?;
        if template.version != hash {
            return Err(TemplateError::new(
                source,
                vec![Problem::new(
                    None,
                    Subject::Template,
                    ProblemKind::VersionMismatch {
                        expected: version.to_owned(),
                        actual: template.version,
                    },
                )],
            ));
        }
        if included.is_empty() {
            return Ok(template);
        }
        template.with_optional(&included).map_err(|dimension| {
            TemplateError::new(
                source,
                vec![Problem::new(
                    None,
                    Subject::Template,
                    ProblemKind::NotOptional {
                        dimension,
                        optional: template
                            .optional_dimensions()
                            .iter()
                            .map(|d| d.id.clone())
                            .collect(),
                    },
                )],
            )
        })
    }

    /// Fills the asked lists from the declared ones with `included` optional dimensions (the
    /// parser calls it with none: optional dimensions are left out until asked for).
    fn select(&mut self, included: Vec<String>) {
        let declared = &self.declared;
        let asked = |dimension: &str| {
            declared
                .dimensions
                .iter()
                .any(|d| d.id == dimension && (!d.optional || included.contains(&d.id)))
        };
        self.dimensions = declared
            .dimensions
            .iter()
            .filter(|d| asked(&d.id))
            .cloned()
            .collect();
        self.items = declared
            .items
            .iter()
            .filter(|item| asked(&item.dimension))
            .cloned()
            .collect();
        self.open_questions = declared
            .open_questions
            .iter()
            .filter(|q| q.dimension.as_deref().is_none_or(asked))
            .cloned()
            .collect();
        let hash = self
            .version
            .split(VARIANT_SEPARATOR)
            .next()
            .unwrap_or_default()
            .to_owned();
        self.version = std::iter::once(hash)
            .chain(included.iter().cloned())
            .collect::<Vec<_>>()
            .join(&VARIANT_SEPARATOR.to_string());
        self.included = included;
    }

    /// The same file asking the optional dimensions `ids` (and no other): the variant a
    /// partnership that opted in runs. Its version is the file's hash followed by
    /// `+<dimension>` per included dimension in file order, so a wave's stored version says
    /// exactly what it asked. `Err` names the first id that is not an optional dimension.
    pub fn with_optional(&self, ids: &[String]) -> Result<SurveyTemplate, String> {
        if let Some(unknown) = ids.iter().find(|id| {
            !self
                .declared
                .dimensions
                .iter()
                .any(|d| d.optional && &d.id == *id)
        }) {
            return Err(unknown.clone());
        }
        let included: Vec<String> = self
            .declared
            .dimensions
            .iter()
            .filter(|d| ids.contains(&d.id))
            .map(|d| d.id.clone())
            .collect();
        let mut variant = self.clone();
        variant.select(included);
        Ok(variant)
    }

    /// The dimensions the file declares `optional = true`, in file order, asked or not.
    pub fn optional_dimensions(&self) -> Vec<&Dimension> {
        self.declared
            .dimensions
            .iter()
            .filter(|d| d.optional)
            .collect()
    }

    /// The optional dimensions this variant asks, in file order.
    pub fn included_optional(&self) -> &[String] {
        &self.included
    }

    /// The items of a declared dimension, asked by this variant or not (for listings).
    pub fn declared_items(&self, dimension_id: &str) -> Vec<&Item> {
        self.declared
            .items
            .iter()
            .filter(|item| item.dimension == dimension_id)
            .collect()
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn title(&self) -> &str {
        &self.title
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Lowercase hex SHA-256 of the exact body, followed by `+<dimension>` for each optional
    /// dimension this variant asks.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The first twelve hex digits of the version, enough to tell versions apart on screen.
    pub fn short_version(&self) -> &str {
        &self.version[..SHORT_VERSION_LEN]
    }

    /// The exact text the template was parsed from; store it with every wave.
    pub fn body(&self) -> &str {
        &self.body
    }

    pub fn scale(&self) -> &Scale {
        &self.scale
    }

    /// In file order.
    pub fn dimensions(&self) -> &[Dimension] {
        &self.dimensions
    }

    /// In file order, which is the order respondents see them in.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn open_questions(&self) -> &[OpenQuestion] {
        &self.open_questions
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    pub fn has_item(&self, id: &str) -> bool {
        self.item(id).is_some()
    }

    pub fn dimension(&self, id: &str) -> Option<&Dimension> {
        self.dimensions.iter().find(|dimension| dimension.id == id)
    }

    /// The perception items of one dimension, in file order; empty for an unknown dimension.
    /// Meta items are left out: they are guesses about the other firm, not this firm's view.
    pub fn dimension_items(&self, dimension_id: &str) -> Vec<&Item> {
        self.items
            .iter()
            .filter(|item| item.dimension == dimension_id && item.meta_of.is_none())
            .collect()
    }

    /// Each perception item that has a meta item, with it, in file order of the meta items.
    pub fn meta_pairs(&self) -> Vec<(&Item, &Item)> {
        self.items
            .iter()
            .filter_map(|meta| {
                let target = self.item(meta.meta_of.as_deref()?)?;
                Some((target, meta))
            })
            .collect()
    }

    pub fn open_question(&self, id: &str) -> Option<&OpenQuestion> {
        self.open_questions
            .iter()
            .find(|question| question.id == id)
    }
}

const SHORT_VERSION_LEN: usize = 12;

/// What a scale's five points measure. Closed so that a misspelt kind is caught by the check;
/// the labels, not the kind, are what respondents read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScaleKind {
    /// Strongly disagree … strongly agree.
    Agreement,
    /// Never … always.
    Frequency,
    /// Not at all … to a very great extent.
    Extent,
    /// Poor … excellent.
    Quality,
}

impl ScaleKind {
    pub const ALL: [ScaleKind; 4] = [
        ScaleKind::Agreement,
        ScaleKind::Frequency,
        ScaleKind::Extent,
        ScaleKind::Quality,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ScaleKind::Agreement => "agreement",
            ScaleKind::Frequency => "frequency",
            ScaleKind::Extent => "extent",
            ScaleKind::Quality => "quality",
        }
    }

    pub fn from_name(name: &str) -> Option<ScaleKind> {
        ScaleKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// An ordered scale of A = 2..=11 labelled points, 1 to A with higher = better, the number of
/// top points counted as favourable, and the don't-know label (stored and counted, never
/// averaged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    kind: ScaleKind,
    labels: Vec<String>,
    favourable: u8,
    dont_know: String,
}

impl Scale {
    pub fn kind(&self) -> ScaleKind {
        self.kind
    }

    /// Labels of points 1 to A, in that order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// A, the number of points (2..=11).
    pub fn points(&self) -> u8 {
        // The parser accepts 2..=11 labels only.
        u8::try_from(self.labels.len()).unwrap_or(u8::MAX)
    }

    /// How many top points count as favourable (`favourable = N` in the template).
    pub fn favourable(&self) -> u8 {
        self.favourable
    }

    /// The default number of favourable top points of an A-point scale: ⌊A/2⌋ (4 and 5 of five
    /// points, 3 and 4 of four).
    pub fn default_favourable(points: usize) -> u8 {
        u8::try_from(points / 2).unwrap_or(1).max(1)
    }

    /// True when `value` is a point of this scale (1..=A).
    pub fn contains(&self, value: u8) -> bool {
        (1..=self.points()).contains(&value)
    }

    /// The label of one point, `None` outside 1..=A.
    pub fn label(&self, point: u8) -> Option<&str> {
        let index = usize::from(point).checked_sub(1)?;
        self.labels.get(index).map(String::as_str)
    }

    pub fn dont_know(&self) -> &str {
        &self.dont_know
    }

    /// Replaces the labels with a translation's; the parser checked the count matches.
    fn relabel(&mut self, labels: &[String], dont_know: &str) {
        for (label, translated) in self.labels.iter_mut().zip(labels) {
            label.clone_from(translated);
        }
        self.dont_know = dont_know.to_owned();
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dimension {
    id: String,
    name: String,
    description: String,
    /// Asked only in partnerships that opt in (`optional = true` in the file).
    optional: bool,
}

impl Dimension {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Whether the dimension is asked only where a partnership opts in.
    pub fn is_optional(&self) -> bool {
        self.optional
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    id: String,
    dimension: String,
    wording: Wording,
    /// The item whose answers by the *other* firm this item asks each firm to guess.
    #[serde(skip_serializing_if = "Option::is_none")]
    meta_of: Option<String>,
}

impl Item {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id of the dimension this item belongs to; always one the template declares.
    pub fn dimension(&self) -> &str {
        &self.dimension
    }

    pub fn wording(&self) -> &Wording {
        &self.wording
    }

    /// For a meta item, the id of the perception item it asks about; `None` otherwise.
    pub fn meta_of(&self) -> Option<&str> {
        self.meta_of.as_deref()
    }

    /// The text one side's staff read, `{partner}` replaced by the other firm's name.
    pub fn wording_for(&self, side: TemplateSide, partner_name: &str) -> String {
        self.wording.render(side, partner_name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenQuestion {
    id: String,
    wording: Wording,
    optional: bool,
    /// The dimension the question belongs to: asked only when that dimension is.
    #[serde(skip_serializing_if = "Option::is_none")]
    dimension: Option<String>,
}

impl OpenQuestion {
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn wording(&self) -> &Wording {
        &self.wording
    }

    /// Whether a response may leave the question empty.
    pub fn is_optional(&self) -> bool {
        self.optional
    }

    /// The dimension this question belongs to, if the file says so.
    pub fn dimension(&self) -> Option<&str> {
        self.dimension.as_deref()
    }

    pub fn wording_for(&self, side: TemplateSide, partner_name: &str) -> String {
        self.wording.render(side, partner_name)
    }
}

/// The wording of one question for each side, as written in the file (trimmed), placeholders
/// left in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wording {
    customer: String,
    supplier: String,
}

impl Wording {
    /// The raw text for one side, `{partner}` not replaced.
    pub fn text(&self, side: TemplateSide) -> &str {
        match side {
            TemplateSide::Customer => &self.customer,
            TemplateSide::Supplier => &self.supplier,
        }
    }

    /// The text one side's staff read. `partner_name` is inserted as is, once: a name that
    /// itself contains `{partner}` is not expanded again.
    pub fn render(&self, side: TemplateSide, partner_name: &str) -> String {
        self.text(side).replace(PARTNER_PLACEHOLDER, partner_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "minimal"
title = "Minimal"

[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
dont_know = "Don't know"

[[dimensions]]
id = "trust"
name = "Trust"

[[items]]
id = "trust"
dimension = "trust"
customer = "We can trust {partner}."
supplier = "{partner} trusts us."

[[open_questions]]
id = "changes"
customer = "What changed at {partner}?"
supplier = "What changed at {partner}, our customer?"
"#;

    fn minimal() -> SurveyTemplate {
        parse("minimal.toml", MINIMAL).expect("the minimal template parses")
    }

    #[test]
    fn wording_for_a_side_names_the_other_firm() {
        let template = minimal();
        let item = template.item("trust").expect("item trust");

        assert_eq!(
            item.wording_for(TemplateSide::Customer, "Acme Components"),
            "We can trust Acme Components."
        );
        assert_eq!(
            item.wording_for(TemplateSide::Supplier, "Globex"),
            "Globex trusts us."
        );
        assert_eq!(
            item.wording().text(TemplateSide::Supplier),
            "{partner} trusts us."
        );
    }

    #[test]
    fn a_partner_name_containing_the_placeholder_is_not_expanded_again() {
        let template = minimal();
        let item = template.item("trust").expect("item trust");

        assert_eq!(
            item.wording_for(TemplateSide::Customer, "{partner} Ltd"),
            "We can trust {partner} Ltd."
        );
    }

    #[test]
    fn open_questions_are_optional_unless_the_file_says_otherwise() {
        let template = minimal();
        let question = template.open_question("changes").expect("question");

        assert!(question.is_optional());
        assert_eq!(
            question.wording_for(TemplateSide::Supplier, "Initech"),
            "What changed at Initech, our customer?"
        );
    }

    #[test]
    fn scale_labels_are_numbered_from_one_to_five() {
        let template = minimal();
        let scale = template.scale();

        assert_eq!(scale.kind(), ScaleKind::Agreement);
        assert_eq!(scale.label(1), Some("Strongly disagree"));
        assert_eq!(scale.label(5), Some("Strongly agree"));
        assert_eq!(scale.label(0), None);
        assert_eq!(scale.label(6), None);
        assert_eq!(scale.dont_know(), "Don't know");
    }

    #[test]
    fn lookups_answer_for_declared_ids_only() {
        let template = minimal();

        assert!(template.has_item("trust"));
        assert!(!template.has_item("changes"));
        assert_eq!(
            template.dimension("trust").map(Dimension::name),
            Some("Trust")
        );
        assert!(template.dimension_items("nothing").is_empty());
        assert_eq!(template.dimension_items("trust").len(), 1);
    }

    #[test]
    fn a_stored_body_parses_back_to_the_same_template() {
        let template = minimal();

        let stored = SurveyTemplate::from_stored(template.version(), template.body())
            .expect("stored body parses");

        assert_eq!(stored, template);
    }

    #[test]
    fn a_stored_body_that_does_not_match_its_version_is_refused() {
        let template = minimal();
        let edited = template.body().replace("We can trust", "We may trust");

        let error = SurveyTemplate::from_stored(template.version(), &edited)
            .expect_err("the edited body has another version");

        assert!(matches!(
            error.problems()[0].kind(),
            ProblemKind::VersionMismatch { .. }
        ));
        let message = error.to_string();
        assert!(
            message.starts_with(&format!("stored template v{}", template.short_version())),
            "{message}"
        );
        assert!(message.contains(template.version()), "{message}");
    }

    const WITH_OPTIONAL: &str = r#"
id = "pulse"
title = "Pulse"

[scale]
kind = "agreement"
labels = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
dont_know = "Don't know"

[[dimensions]]
id = "trust"
name = "Trust"

[[dimensions]]
id = "future"
name = "Joint future"
optional = true

[[items]]
id = "trust"
dimension = "trust"
customer = "We can trust {partner}."
supplier = "We can trust {partner}."

[[items]]
id = "together"
dimension = "future"
customer = "Together with {partner} we achieve more."
supplier = "Together with {partner} we achieve more."

[[open_questions]]
id = "changes"
customer = "What changed?"
supplier = "What changed?"

[[open_questions]]
id = "ideas"
dimension = "future"
customer = "What could we achieve together?"
supplier = "What could we achieve together?"
"#;

    fn ids<T>(list: &[T], id: fn(&T) -> &str) -> Vec<&str> {
        list.iter().map(id).collect()
    }

    #[test]
    fn an_optional_dimension_is_left_out_until_asked_for() {
        let template = parse("pulse.toml", WITH_OPTIONAL).expect("parses");

        assert_eq!(ids(template.dimensions(), Dimension::id), ["trust"]);
        assert_eq!(ids(template.items(), Item::id), ["trust"]);
        assert_eq!(
            ids(template.open_questions(), OpenQuestion::id),
            ["changes"]
        );
        assert_eq!(template.version().len(), 64, "the plain hash");
        assert_eq!(
            template
                .optional_dimensions()
                .iter()
                .map(|d| d.id())
                .collect::<Vec<_>>(),
            ["future"]
        );
        assert!(template.included_optional().is_empty());
    }

    #[test]
    fn a_variant_asks_the_dimension_its_items_and_its_question_and_says_so_in_its_version() {
        let template = parse("pulse.toml", WITH_OPTIONAL).expect("parses");

        let variant = template
            .with_optional(&["future".to_owned()])
            .expect("future is optional");

        assert_eq!(
            ids(variant.dimensions(), Dimension::id),
            ["trust", "future"]
        );
        assert_eq!(ids(variant.items(), Item::id), ["trust", "together"]);
        assert_eq!(
            ids(variant.open_questions(), OpenQuestion::id),
            ["changes", "ideas"]
        );
        assert_eq!(variant.version(), format!("{}+future", template.version()));
        assert_eq!(variant.short_version(), template.short_version());
        assert_eq!(variant.body(), template.body(), "the same bytes");
        assert_eq!(variant.included_optional(), ["future"]);
        let back = variant.with_optional(&[]).expect("none");
        assert_eq!(back, template);
    }

    #[test]
    fn a_stored_variant_reads_back_as_the_same_variant() {
        let variant = parse("pulse.toml", WITH_OPTIONAL)
            .expect("parses")
            .with_optional(&["future".to_owned()])
            .expect("optional");

        let stored =
            SurveyTemplate::from_stored(variant.version(), variant.body()).expect("readable");

        assert_eq!(stored, variant);
    }

    #[test]
    fn only_optional_dimensions_can_be_asked_for() {
        let template = parse("pulse.toml", WITH_OPTIONAL).expect("parses");

        assert_eq!(
            template.with_optional(&["trust".to_owned()]),
            Err("trust".to_owned())
        );
        assert_eq!(
            template.with_optional(&["futur".to_owned()]),
            Err("futur".to_owned())
        );
        let error =
            SurveyTemplate::from_stored(&format!("{}+trust", template.version()), template.body())
                .expect_err("trust is not optional");
        assert!(
            error.to_string().ends_with(
                "\"trust\" is not an optional dimension of this template (optional: future)"
            ),
            "{error}"
        );
    }

    #[test]
    fn an_open_question_names_a_declared_dimension_with_its_line_and_column() {
        let body = WITH_OPTIONAL.replace(
            r#"dimension = "future"
customer = "What"#,
            r#"dimension = "futre"
customer = "What"#,
        );

        let error = parse("pulse.toml", &body).expect_err("undeclared");

        assert_eq!(
            error.to_string(),
            "pulse.toml:38:13: open question \"ideas\": dimension \"futre\" is not declared \
             (declared: trust, future)"
        );
    }

    #[test]
    fn optional_must_be_true_or_false() {
        let body = WITH_OPTIONAL.replace("optional = true", "optional = \"yes\"");

        let error = parse("pulse.toml", &body).expect_err("a string");

        assert!(
            error
                .to_string()
                .starts_with("pulse.toml:17:12: dimension \"future\": "),
            "{error}"
        );
        assert!(error.to_string().contains("true or false"), "{error}");
    }

    #[test]
    fn a_meta_item_cannot_cross_into_an_optional_dimension() {
        let body = format!(
            "{WITH_OPTIONAL}\n[[items]]\nid = \"their_together\"\ndimension = \"trust\"\nmeta_of = \"together\"\ncustomer = \"They think so?\"\nsupplier = \"They think so?\"\n"
        );

        let error = parse("pulse.toml", &body).expect_err("crosses");

        assert!(
            error.to_string().contains(
                "meta_of \"together\" is in dimension \"future\" and this item in \"trust\""
            ),
            "{error}"
        );
    }

    #[test]
    fn the_shipped_perception_template_offers_joint_future_in_every_language() {
        let catalog = Catalog::load(None).expect("the shipped templates are sound");
        let template = catalog.get("partnership-perception").expect("shipped");

        assert_eq!(template.items().len(), 8, "eight items unless opted in");
        let variant = template
            .with_optional(&["joint_future".to_owned()])
            .expect("optional");
        assert_eq!(variant.items().len(), 11);
        assert_eq!(variant.dimension_items("joint_future").len(), 3);
        let question = variant
            .open_question("joint_achievement")
            .expect("the seeds' question");
        assert_eq!(question.dimension(), Some("joint_future"));
        for language in crate::domain::Language::ALL {
            let (localized, translated) = variant.localized(language);
            assert!(translated, "{language}");
            let item = localized.item("achieve_together").expect("asked");
            assert!(
                item.wording_for(TemplateSide::Customer, "Bolt")
                    .contains("Bolt"),
                "{language}"
            );
        }
    }

    #[test]
    fn the_template_serialises_for_the_api() {
        let template = minimal();

        let json = serde_json::to_value(&template).expect("serialises");

        assert_eq!(json["id"], "minimal");
        assert_eq!(json["scale"]["kind"], "agreement");
        assert_eq!(
            json["items"][0]["wording"]["customer"],
            "We can trust {partner}."
        );
        assert_eq!(json["open_questions"][0]["optional"], true);
    }
}
