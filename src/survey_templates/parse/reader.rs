//! How problems are collected (every one, in file order, with line and column) and the
//! generic readers every section uses: arrays of entries, ids, strings, unknown keys.

use super::*;

impl Reader<'_> {
    pub(super) fn report(&mut self, at: Option<&Span>, subject: &Subject, kind: ProblemKind) {
        let offset = at.map(|span| span.start);
        let location = offset.map(|offset| Location::of_offset(self.text, offset));
        self.problems
            .push((offset, Problem::new(location, subject.clone(), kind)));
    }

    pub(super) fn line_of(&self, span: &Span) -> usize {
        Location::of_offset(self.text, span.start).line
    }

    pub(super) fn into_error(mut self, source: &str) -> TemplateError {
        // Stable, so problems at one place keep the order they were found in.
        self.problems.sort_by_key(|(offset, _)| *offset);
        TemplateError::new(
            source.to_owned(),
            self.problems
                .into_iter()
                .map(|(_, problem)| problem)
                .collect(),
        )
    }

    /// Reads an array of tables such as `[[items]]`. Each entry gets its subject from its id
    /// before anything else is read, so that every later message can name it; `read` gets the id
    /// when it is sound and reads the rest even when it is not, to find every problem.
    pub(super) fn entries<T>(
        &mut self,
        root: &DeTable<'_>,
        key: &'static str,
        required: bool,
        subject_of: fn(EntryName) -> Subject,
        mut read: impl FnMut(&mut Self, &DeTable<'_>, &Span, &Subject, Option<String>) -> Option<T>,
    ) -> Vec<Entry<T>> {
        let Some(value) = root.get(key) else {
            if required {
                self.report(None, &Subject::Template, ProblemKind::MissingKey(key));
            }
            return Vec::new();
        };
        let expected = "an array of tables ([[…]])";
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                &Subject::Template,
                key,
                expected,
                value.get_ref(),
            );
            return Vec::new();
        };
        if array.is_empty() && required {
            self.report(
                Some(&value.span()),
                &Subject::Template,
                ProblemKind::Empty(key),
            );
        }
        let mut entries = Vec::with_capacity(array.len());
        for (index, element) in array.iter().enumerate() {
            let position = index + 1;
            let span = element.span();
            let DeValue::Table(table) = element.get_ref() else {
                self.wrong_type(
                    &span,
                    &Subject::Template,
                    &format!("{key}[{position}]"),
                    "a table",
                    element.get_ref(),
                );
                continue;
            };
            let raw_id = match table.get("id").map(|id| (id.get_ref(), id.span())) {
                Some((DeValue::String(id), at)) if !id.trim().is_empty() => {
                    Some((id.trim().to_owned(), at))
                }
                _ => None,
            };
            let subject = subject_of(match &raw_id {
                Some((id, _)) => EntryName::Id(id.clone()),
                None => EntryName::Position(position),
            });
            let id = self
                .required_string(table, Some(&span), "id", &subject)
                .and_then(|(id, at)| {
                    if is_id(&id) {
                        Some((id, at))
                    } else {
                        self.report(Some(&at), &subject, ProblemKind::BadId(id));
                        None
                    }
                });
            let value = read(
                self,
                table,
                &span,
                &subject,
                id.as_ref().map(|(id, _)| id.clone()),
            );
            entries.push(Entry { id, subject, value });
        }
        entries
    }

    /// Reports every id after its first occurrence; returns the line of each first occurrence.
    pub(super) fn no_duplicates<T>(
        &mut self,
        entries: &[Entry<T>],
        problem: fn(String, usize) -> ProblemKind,
    ) -> HashMap<String, usize> {
        let mut first_lines: HashMap<String, usize> = HashMap::new();
        for entry in entries {
            let Some((id, span)) = &entry.id else {
                continue;
            };
            match first_lines.get(id) {
                Some(&first_line) => {
                    self.report(Some(span), &entry.subject, problem(id.clone(), first_line));
                }
                None => {
                    first_lines.insert(id.clone(), self.line_of(span));
                }
            }
        }
        first_lines
    }

    /// Looks at the `dimension` keys as written, so that an item with another problem (a bad id,
    /// missing wording) still counts for its dimension.
    pub(super) fn every_dimension_has_items(
        &mut self,
        dimensions: &[Entry<Dimension>],
        root: &DeTable<'_>,
    ) {
        let Some(used) = written_item_dimensions(root) else {
            // An item without a readable dimension may belong to any of them.
            return;
        };
        let mut reported: Vec<&str> = Vec::new();
        for dimension in dimensions {
            let Some((id, span)) = &dimension.id else {
                continue;
            };
            if !used.contains(&id.as_str()) && !reported.contains(&id.as_str()) {
                reported.push(id);
                self.report(Some(span), &dimension.subject, ProblemKind::EmptyDimension);
            }
        }
    }

    pub(super) fn unknown_keys(
        &mut self,
        table: &DeTable<'_>,
        allowed: &'static [&'static str],
        subject: &Subject,
    ) {
        for (key, _) in table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                self.report(
                    Some(&key.span()),
                    subject,
                    ProblemKind::UnknownKey {
                        key: key.get_ref().to_string(),
                        allowed,
                    },
                );
            }
        }
    }

    pub(super) fn table<'a, 'i>(
        &mut self,
        parent: &'a DeTable<'i>,
        key: &str,
        subject: &Subject,
    ) -> Option<(&'a DeTable<'i>, Span)> {
        let value = parent.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some((table, value.span())),
            other => {
                self.wrong_type(&value.span(), subject, key, "a table", other);
                None
            }
        }
    }

    /// A trimmed string, `None` when absent (not a problem here) or not a string (reported).
    pub(super) fn optional_string(
        &mut self,
        table: &DeTable<'_>,
        key: &str,
        subject: &Subject,
    ) -> Option<String> {
        let value = table.get(key)?;
        match value.get_ref() {
            DeValue::String(text) => Some(text.trim().to_owned()),
            other => {
                self.wrong_type(&value.span(), subject, key, "a string", other);
                None
            }
        }
    }

    /// A trimmed, non-blank string and where it is; absence and blankness are reported, at the
    /// table's header when it has one.
    pub(super) fn required_string(
        &mut self,
        table: &DeTable<'_>,
        table_at: Option<&Span>,
        key: &'static str,
        subject: &Subject,
    ) -> Option<(String, Span)> {
        let Some(value) = table.get(key) else {
            self.report(table_at, subject, ProblemKind::MissingKey(key));
            return None;
        };
        let text = self.optional_string(table, key, subject)?;
        if text.is_empty() {
            self.report(Some(&value.span()), subject, ProblemKind::Blank(key));
            return None;
        }
        Some((text, value.span()))
    }

    pub(super) fn wrong_type(
        &mut self,
        at: &Span,
        subject: &Subject,
        key: &str,
        expected: &'static str,
        found: &DeValue<'_>,
    ) {
        self.report(
            Some(at),
            subject,
            ProblemKind::WrongType {
                key: key.to_owned(),
                expected,
                found: found.type_str(),
            },
        );
    }
}
