//! The templates a running service offers: the shipped ones, compiled into the binary, and an
//! organisation's own from a configured folder, all checked the same way.
//!
//! A catalog is all or nothing: one broken file, a missing folder or an id defined twice refuses
//! the whole catalog, because a service that quietly dropped a template would run waves nobody
//! asked for.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{parse, SurveyTemplate, TemplateError};

/// The template a partnership uses unless it chooses another.
pub const DEFAULT_TEMPLATE_ID: &str = "partnership-perception";

/// Embedded so that the binary never depends on the directory it is started from; the names are
/// the files' paths in the repository, used in messages.
const SHIPPED: [(&str, &str); 4] = [
    (
        "survey-templates/partnership-perception.toml",
        include_str!("../../survey-templates/partnership-perception.toml"),
    ),
    (
        "survey-templates/supplier-competencies.toml",
        include_str!("../../survey-templates/supplier-competencies.toml"),
    ),
    (
        "survey-templates/partnership-practices.toml",
        include_str!("../../survey-templates/partnership-practices.toml"),
    ),
    (
        "survey-templates/partnership-perception-mirror.toml",
        include_str!("../../survey-templates/partnership-perception-mirror.toml"),
    ),
];

/// A loaded template and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    template: SurveyTemplate,
    file: String,
    shipped: bool,
}

impl CatalogEntry {
    pub fn template(&self) -> &SurveyTemplate {
        &self.template
    }

    /// The repository path of a shipped template, or the path of a custom one.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn is_shipped(&self) -> bool {
        self.shipped
    }
}

/// Every template on offer, each id once. Built only from a clean [`CheckReport`].
#[derive(Debug, Clone)]
pub struct Catalog {
    entries: Vec<CatalogEntry>,
    default_index: usize,
}

impl Catalog {
    /// The shipped templates plus every `*.toml` file in `extra_dir`; any problem refuses all.
    pub fn load(extra_dir: Option<&Path>) -> Result<Catalog, CatalogError> {
        Catalog::check(extra_dir).into_catalog()
    }

    /// Checks the shipped templates and every `*.toml` file in `extra_dir` (names starting with a
    /// dot, which editors use for lock and backup files, are skipped), and reports on each file
    /// and on the catalog as a whole. Files are taken in name order so that reports repeat.
    pub fn check(extra_dir: Option<&Path>) -> CheckReport {
        let mut report = CheckReport {
            files: Vec::new(),
            problems: Vec::new(),
        };
        for (file, body) in SHIPPED {
            report.add_file(file.to_owned(), true, body);
        }
        if let Some(dir) = extra_dir {
            report.add_folder(dir);
        }
        report.check_ids();
        report
    }

    pub fn get(&self, id: &str) -> Option<&SurveyTemplate> {
        self.entry(id).map(CatalogEntry::template)
    }

    pub fn entry(&self, id: &str) -> Option<&CatalogEntry> {
        self.entries.iter().find(|entry| entry.template.id() == id)
    }

    /// Shipped templates first, in a fixed order, then custom ones in file name order.
    pub fn iter(&self) -> impl Iterator<Item = &SurveyTemplate> {
        self.entries.iter().map(CatalogEntry::template)
    }

    pub fn entries(&self) -> &[CatalogEntry] {
        &self.entries
    }

    pub fn default_template(&self) -> &SurveyTemplate {
        &self.entries[self.default_index].template
    }
}

/// The outcome of checking one file that could be read.
#[derive(Debug, Clone)]
pub struct FileCheck {
    file: String,
    shipped: bool,
    outcome: Result<SurveyTemplate, TemplateError>,
}

impl FileCheck {
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn is_shipped(&self) -> bool {
        self.shipped
    }

    pub fn outcome(&self) -> Result<&SurveyTemplate, &TemplateError> {
        self.outcome.as_ref()
    }
}

impl fmt::Display for FileCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(template) => write!(
                f,
                "ok {} v{} ({} items, {} dimensions) from {}",
                template.id(),
                template.short_version(),
                template.items().len(),
                template.dimensions().len(),
                self.file,
            ),
            Err(error) => write!(f, "{error}"),
        }
    }
}

/// What `tandem templates check` prints: one line per sound file, every problem of every other
/// file, then the problems of the catalog as a whole.
#[derive(Debug)]
pub struct CheckReport {
    files: Vec<FileCheck>,
    problems: Vec<CatalogProblem>,
}

impl CheckReport {
    /// Every file that could be read, shipped ones first.
    pub fn files(&self) -> &[FileCheck] {
        &self.files
    }

    /// Problems that are not inside one file: folders, unreadable files, ids defined twice.
    pub fn catalog_problems(&self) -> &[CatalogProblem] {
        &self.problems
    }

    pub fn is_ok(&self) -> bool {
        self.problems.is_empty() && self.files.iter().all(|file| file.outcome.is_ok())
    }

    /// The catalog, or every problem found.
    pub fn into_catalog(self) -> Result<Catalog, CatalogError> {
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for check in self.files {
            match check.outcome {
                Ok(template) => entries.push(CatalogEntry {
                    template,
                    file: check.file,
                    shipped: check.shipped,
                }),
                Err(error) => problems.push(CatalogProblem::Template(error)),
            }
        }
        problems.extend(self.problems);
        let default_index = entries
            .iter()
            .position(|entry| entry.shipped && entry.template.id() == DEFAULT_TEMPLATE_ID);
        match default_index {
            Some(default_index) if problems.is_empty() => Ok(Catalog {
                entries,
                default_index,
            }),
            Some(_) => Err(CatalogError { problems }),
            None => {
                // Only reachable when the shipped default is broken, which is already listed.
                if problems.is_empty() {
                    problems.push(CatalogProblem::MissingDefault);
                }
                Err(CatalogError { problems })
            }
        }
    }

    fn add_file(&mut self, file: String, shipped: bool, body: &str) {
        let outcome = parse(&file, body);
        if let Ok(template) = &outcome {
            // Ids are looked up by file name in folders and reviews: keep the two in step.
            let stem = Path::new(&file).file_stem().and_then(|stem| stem.to_str());
            if stem != Some(template.id()) {
                self.problems.push(CatalogProblem::IdNotFileName {
                    file: file.clone(),
                    id: template.id().to_owned(),
                });
            }
        }
        self.files.push(FileCheck {
            file,
            shipped,
            outcome,
        });
    }

    fn add_folder(&mut self, dir: &Path) {
        match fs::metadata(dir) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                self.problems.push(CatalogProblem::NotAFolder {
                    path: dir.to_owned(),
                });
                return;
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.problems.push(CatalogProblem::MissingFolder {
                    path: dir.to_owned(),
                });
                return;
            }
            Err(source) => {
                self.problems.push(CatalogProblem::ReadFolder {
                    path: dir.to_owned(),
                    source,
                });
                return;
            }
        }
        let paths = match template_files(dir) {
            Ok(paths) => paths,
            Err(source) => {
                self.problems.push(CatalogProblem::ReadFolder {
                    path: dir.to_owned(),
                    source,
                });
                return;
            }
        };
        for path in paths {
            match fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(body) => self.add_file(path.display().to_string(), false, &body),
                    Err(_) => self.problems.push(CatalogProblem::NotUtf8 { path }),
                },
                Err(source) => self
                    .problems
                    .push(CatalogProblem::ReadFile { path, source }),
            }
        }
    }

    fn check_ids(&mut self) {
        let mut first_files: HashMap<&str, &str> = HashMap::new();
        let mut duplicates = Vec::new();
        for check in &self.files {
            let Ok(template) = &check.outcome else {
                continue;
            };
            match first_files.get(template.id()) {
                Some(first) => duplicates.push(CatalogProblem::DuplicateId {
                    id: template.id().to_owned(),
                    first: (*first).to_owned(),
                    second: check.file.clone(),
                }),
                None => {
                    first_files.insert(template.id(), &check.file);
                }
            }
        }
        self.problems.extend(duplicates);
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let lines = self
            .files
            .iter()
            .map(|file| file as &dyn fmt::Display)
            .chain(
                self.problems
                    .iter()
                    .map(|problem| problem as &dyn fmt::Display),
            );
        for line in lines {
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "{line}")?;
        }
        Ok(())
    }
}

/// The `*.toml` entries of a folder that are not folders, hidden names skipped, in name order.
fn template_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let hidden = path
            .file_name()
            .is_some_and(|name| name.as_encoded_bytes().starts_with(b"."));
        // A broken link is kept, so that reading it reports it instead of skipping it.
        let wanted = path
            .extension()
            .is_some_and(|extension| extension == "toml")
            && !hidden
            && !path.is_dir();
        if wanted {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// One reason the catalog cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogProblem {
    #[error("{0}")]
    Template(TemplateError),
    #[error("templates folder {} does not exist", .path.display())]
    MissingFolder { path: PathBuf },
    #[error("templates folder {} is not a folder", .path.display())]
    NotAFolder { path: PathBuf },
    #[error("cannot read templates folder {}: {source}", .path.display())]
    ReadFolder { path: PathBuf, source: io::Error },
    #[error("{}: cannot read: {source}", .path.display())]
    ReadFile { path: PathBuf, source: io::Error },
    #[error("{}: not UTF-8 text", .path.display())]
    NotUtf8 { path: PathBuf },
    #[error("{file}: template id \"{id}\" does not match the file name; name the file {id}.toml")]
    IdNotFileName { file: String, id: String },
    #[error("template id \"{id}\" is defined twice: in {first} and in {second}")]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
    #[error("the default template \"{DEFAULT_TEMPLATE_ID}\" is not among the shipped templates")]
    MissingDefault,
}

/// Why [`Catalog::load`] refused; `Display` lists every problem, one a line.
#[derive(Debug)]
pub struct CatalogError {
    problems: Vec<CatalogProblem>,
}

impl CatalogError {
    /// Never empty.
    pub fn problems(&self) -> &[CatalogProblem] {
        &self.problems
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogError {}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::super::{ScaleKind, TemplateSide};
    use super::*;

    /// A folder of its own for one test, removed when the test ends.
    struct Folder(PathBuf);

    impl Folder {
        fn new() -> Folder {
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "tandem-templates-{}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            fs::create_dir_all(&path).expect("create the test folder");
            Folder(path)
        }

        fn write(&self, name: &str, body: &str) -> PathBuf {
            let path = self.0.join(name);
            fs::write(&path, body).expect("write a template");
            path
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            // A leftover temporary folder is harmless; failing a passed test over it is not.
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    /// A custom template with the given id, made from the shipped default.
    fn custom(id: &str) -> String {
        SHIPPED[0]
            .1
            .replacen(
                "id = \"partnership-perception\"",
                &format!("id = \"{id}\""),
                1,
            )
            .replacen(
                "title = \"Partnership perception\"",
                "title = \"Our own\"",
                1,
            )
    }

    fn shipped() -> Catalog {
        Catalog::load(None).expect("the shipped templates load")
    }

    fn item_ids(template: &SurveyTemplate) -> Vec<&str> {
        template.items().iter().map(|item| item.id()).collect()
    }

    fn dimension_item_ids<'a>(template: &'a SurveyTemplate, dimension: &str) -> Vec<&'a str> {
        template
            .dimension_items(dimension)
            .into_iter()
            .map(|item| item.id())
            .collect()
    }

    #[test]
    fn the_default_template_is_partnership_perception_as_the_product_defines_it() {
        let catalog = shipped();
        let template = catalog.default_template();

        assert_eq!(template.id(), DEFAULT_TEMPLATE_ID);
        assert_eq!(
            item_ids(template),
            [
                "win_win",
                "shares_rewards",
                "trust",
                "dependable_people",
                "holds_up_end",
                "common_objectives",
                "does_homework",
                "decides_and_sticks",
            ]
        );
        let dimensions: Vec<&str> = template.dimensions().iter().map(|d| d.id()).collect();
        assert_eq!(dimensions, ["win_win", "trust", "shared_objectives"]);
        assert_eq!(
            dimension_item_ids(template, "win_win"),
            ["win_win", "shares_rewards"]
        );
        assert_eq!(
            dimension_item_ids(template, "trust"),
            ["trust", "dependable_people", "holds_up_end"]
        );
        assert_eq!(
            dimension_item_ids(template, "shared_objectives"),
            ["common_objectives", "does_homework", "decides_and_sticks"]
        );
    }

    #[test]
    fn the_default_template_uses_the_agreement_scale_and_asks_what_changed() {
        let catalog = shipped();
        let template = catalog.default_template();

        assert_eq!(template.scale().kind(), ScaleKind::Agreement);
        assert_eq!(
            template.scale().labels(),
            &[
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree"
            ]
        );
        assert_eq!(template.scale().dont_know(), "Don't know");
        let questions = template.open_questions();
        assert_eq!(questions.len(), 1);
        assert_eq!(questions[0].id(), "changes");
        assert!(questions[0].is_optional());
        for side in TemplateSide::BOTH {
            assert_eq!(
                questions[0].wording_for(side, "Acme"),
                "In terms of your expectations and priorities, what has changed since the last \
                 survey?"
            );
        }
    }

    #[test]
    fn the_default_template_asks_each_firm_about_the_other() {
        let catalog = shipped();
        let trust = catalog
            .default_template()
            .item("trust")
            .expect("item trust");

        assert_eq!(
            trust.wording_for(TemplateSide::Customer, "Acme Components"),
            "We can trust Acme Components."
        );
        assert_eq!(
            trust.wording_for(TemplateSide::Supplier, "Globex Motors"),
            "We can trust Globex Motors."
        );
    }

    #[test]
    fn the_supplier_competencies_template_has_fifteen_competencies_in_three_dimensions() {
        let catalog = shipped();
        let template = catalog.get("supplier-competencies").expect("shipped");

        let dimensions: Vec<&str> = template.dimensions().iter().map(|d| d.id()).collect();
        assert_eq!(dimensions, ["relationship", "implementation", "innovation"]);
        assert_eq!(
            dimension_item_ids(template, "relationship"),
            [
                "familiarity",
                "collaboration",
                "knowledge",
                "commitment",
                "coverage"
            ]
        );
        assert_eq!(
            dimension_item_ids(template, "implementation"),
            [
                "processes",
                "linkage",
                "cadence",
                "ownership",
                "integration"
            ]
        );
        assert_eq!(
            dimension_item_ids(template, "innovation"),
            [
                "creativity",
                "energy",
                "breadth",
                "timeliness",
                "refinement"
            ]
        );
        assert_eq!(template.items().len(), 15);
    }

    #[test]
    fn in_supplier_competencies_the_supplier_rates_itself_in_its_own_words() {
        let catalog = shipped();
        let template = catalog.get("supplier-competencies").expect("shipped");

        for item in template.items() {
            let wording = item.wording();
            assert_ne!(
                wording.text(TemplateSide::Customer),
                wording.text(TemplateSide::Supplier),
                "item {}",
                item.id()
            );
        }
        let familiarity = template.item("familiarity").expect("familiarity");
        assert_eq!(
            familiarity.wording_for(TemplateSide::Supplier, "Globex"),
            "To what extent do we understand Globex's business, its markets and how it works?"
        );
    }

    #[test]
    fn the_partnership_practices_template_uses_the_sources_four_point_frequency_scale() {
        let catalog = shipped();
        let template = catalog.get("partnership-practices").expect("shipped");

        assert_eq!(template.scale().kind(), ScaleKind::Frequency);
        // Stored higher = better: 1 = Never … 4 = Always.
        assert_eq!(
            template.scale().labels(),
            &["Never", "Sometimes", "Often", "Always"]
        );
        assert_eq!(template.scale().points(), 4);
        assert_eq!(template.scale().favourable(), 2);
        assert_eq!(template.scale().dont_know(), "Don't know");
        assert!((6..=10).contains(&template.items().len()));
        assert!((2..=3).contains(&template.dimensions().len()));
        for item in [
            "clear_lines",
            "performance_reports",
            "strategic_involvement",
            "joint_planning",
            "early_warning",
            "executive_access",
        ] {
            assert!(template.has_item(item), "{item}");
        }
    }

    #[test]
    fn every_shipped_wording_renders_without_braces() {
        let catalog = shipped();

        for template in catalog.iter() {
            let wordings = template
                .items()
                .iter()
                .map(|item| (item.id(), item.wording()))
                .chain(
                    template
                        .open_questions()
                        .iter()
                        .map(|question| (question.id(), question.wording())),
                );
            for (id, wording) in wordings {
                for side in TemplateSide::BOTH {
                    let text = wording.render(side, "Acme");
                    assert!(
                        !text.contains(['{', '}']),
                        "{} {id} {side}: {text}",
                        template.id()
                    );
                }
            }
        }
    }

    #[test]
    fn the_shipped_catalog_lists_the_four_templates_in_a_fixed_order() {
        let catalog = shipped();

        let listed: Vec<&str> = catalog.iter().map(|template| template.id()).collect();

        assert_eq!(
            listed,
            [
                "partnership-perception",
                "supplier-competencies",
                "partnership-practices",
                "partnership-perception-mirror"
            ]
        );
        assert!(catalog.entries().iter().all(CatalogEntry::is_shipped));
        assert_eq!(
            catalog
                .entry("supplier-competencies")
                .map(CatalogEntry::file),
            Some("survey-templates/supplier-competencies.toml")
        );
        assert!(catalog.get("nothing").is_none());
    }

    #[test]
    fn the_check_report_says_ok_with_the_short_version_for_each_sound_file() {
        let report = Catalog::check(None);
        let default = shipped().default_template().clone();

        assert!(report.is_ok());
        let text = report.to_string();
        let first = text.lines().next().expect("a line per file");
        assert_eq!(
            first,
            format!(
                "ok partnership-perception v{} (8 items, 3 dimensions) from \
                 survey-templates/partnership-perception.toml",
                default.short_version()
            )
        );
        assert_eq!(text.lines().count(), 4);
    }

    #[test]
    fn a_template_in_the_custom_folder_loads_beside_the_shipped_ones() {
        let folder = Folder::new();
        let path = folder.write("our-own.toml", &custom("our-own"));
        folder.write("notes.txt", "not a template");
        folder.write(".#our-own.toml", "an editor's lock file");

        let catalog = Catalog::load(Some(&folder.0)).expect("loads");

        assert_eq!(catalog.iter().count(), 5);
        let entry = catalog.entry("our-own").expect("custom template");
        assert!(!entry.is_shipped());
        assert_eq!(entry.file(), path.display().to_string());
        assert_eq!(entry.template().title(), "Our own");
        assert_eq!(entry.template().items().len(), 8);
        assert_eq!(catalog.default_template().id(), DEFAULT_TEMPLATE_ID);
    }

    #[test]
    fn an_id_defined_in_the_shipped_and_the_custom_folder_is_refused_naming_both_files() {
        let folder = Folder::new();
        let path = folder.write(
            "partnership-practices.toml",
            &custom("partnership-practices"),
        );

        let error = Catalog::load(Some(&folder.0)).expect_err("the id is taken");

        assert_eq!(
            error.to_string(),
            format!(
                "template id \"partnership-practices\" is defined twice: in \
                 survey-templates/partnership-practices.toml and in {}",
                path.display()
            )
        );
    }

    #[test]
    fn a_template_whose_id_is_not_its_file_name_is_refused() {
        let folder = Folder::new();
        let path = folder.write("copy-of-default.toml", SHIPPED[0].1);

        let error = Catalog::load(Some(&folder.0)).expect_err("refused");
        let text = error.to_string();

        assert!(
            text.contains(&format!(
                "{}: template id \"partnership-perception\" does not match the file name",
                path.display()
            )),
            "{text}"
        );
        assert!(
            text.contains("\"partnership-perception\" is defined twice"),
            "{text}"
        );
    }

    #[test]
    fn a_missing_custom_folder_is_an_error_naming_it() {
        let folder = Folder::new();
        let missing = folder.0.join("not-there");

        let error = Catalog::load(Some(&missing)).expect_err("no such folder");

        assert_eq!(
            error.to_string(),
            format!("templates folder {} does not exist", missing.display())
        );
    }

    #[test]
    fn a_custom_folder_that_is_a_file_is_an_error_naming_it() {
        let folder = Folder::new();
        let file = folder.write("partnership-perception.toml", SHIPPED[0].1);

        let error = Catalog::load(Some(&file)).expect_err("not a folder");

        assert_eq!(
            error.to_string(),
            format!("templates folder {} is not a folder", file.display())
        );
    }

    #[test]
    fn a_broken_custom_template_refuses_the_catalog_and_the_report_shows_why() {
        let folder = Folder::new();
        let path = folder.write(
            "broken.toml",
            &custom("broken").replacen("dimension = \"trust\"", "dimension = \"trsut\"", 1),
        );

        let report = Catalog::check(Some(&folder.0));
        let text = report.to_string();

        assert!(!report.is_ok());
        assert_eq!(report.files().len(), 5);
        assert!(text.starts_with("ok partnership-perception v"), "{text}");
        let broken_line = text.lines().last().expect("a line for the broken file");
        assert!(
            broken_line.starts_with(&format!("{}:", path.display())),
            "{broken_line}"
        );
        assert!(
            broken_line.ends_with(": item \"trust\": dimension \"trsut\" is not declared (declared: win_win, trust, shared_objectives, joint_future)"),
            "{broken_line}"
        );
        let error = report.into_catalog().expect_err("refused");
        assert_eq!(error.problems().len(), 1);
    }

    #[test]
    fn a_custom_file_that_is_not_utf8_is_refused() {
        let folder = Folder::new();
        let path = folder.0.join("latin1.toml");
        fs::write(&path, b"title = \"Caf\xe9\"\n").expect("write");

        let error = Catalog::load(Some(&folder.0)).expect_err("refused");

        assert_eq!(
            error.to_string(),
            format!("{}: not UTF-8 text", path.display())
        );
    }

    #[test]
    fn the_shipped_versions_are_the_hashes_of_the_embedded_bytes() {
        let catalog = shipped();

        for ((file, body), entry) in SHIPPED.iter().zip(catalog.entries()) {
            assert_eq!(entry.file(), *file);
            assert_eq!(entry.template().body(), *body);
            assert_eq!(
                entry.template().version(),
                super::super::parse::version_of(body)
            );
        }
    }
}
