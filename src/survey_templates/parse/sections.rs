//! One pass per section of a template file: the top level, the scale and its labels,
//! dimensions, items, open questions and each side's wording.

use super::*;

impl Reader<'_> {
    pub(super) fn template(&mut self, root: &DeTable<'_>) -> Option<Parts> {
        let subject = Subject::Template;
        self.unknown_keys(root, TEMPLATE_KEYS, &subject);

        let id = self.required_string(root, None, "id", &subject);
        if let Some((id, span)) = &id {
            if !is_template_id(id) {
                self.report(Some(span), &subject, ProblemKind::BadTemplateId(id.clone()));
            }
        }
        let title = self.required_string(root, None, "title", &subject);
        let description = self.optional_string(root, "description", &subject);
        let scale = match self.table(root, "scale", &subject) {
            Some((table, span)) => self.scale(table, &span),
            None => {
                if root.get("scale").is_none() {
                    self.report(None, &subject, ProblemKind::MissingKey("scale"));
                }
                None
            }
        };

        let dimensions = self.entries(
            root,
            "dimensions",
            true,
            Subject::Dimension,
            |reader, table, span, subject, id| reader.dimension(table, span, subject, id),
        );
        let mut declared: Vec<String> = Vec::new();
        for (id, _) in dimensions.iter().filter_map(|entry| entry.id.as_ref()) {
            if !declared.contains(id) {
                declared.push(id.clone());
            }
        }
        // Where each item's `meta_of` was written, in item order, for the checks across items.
        let mut meta_spans: Vec<Option<(String, Span)>> = Vec::new();
        let items = self.entries(
            root,
            "items",
            true,
            Subject::Item,
            |reader, table, span, subject, id| {
                let meta_of = reader.meta_of(table, subject);
                meta_spans.push(meta_of.clone());
                reader.item(
                    table,
                    span,
                    subject,
                    id,
                    &declared,
                    meta_of.map(|(id, _)| id),
                )
            },
        );
        let open_questions = self.entries(
            root,
            "open_questions",
            false,
            Subject::OpenQuestion,
            |reader, table, span, subject, id| {
                reader.open_question(table, span, subject, id, &declared)
            },
        );

        self.no_duplicates(&dimensions, |id, first_line| {
            ProblemKind::DuplicateDimension { id, first_line }
        });
        let item_lines = self.no_duplicates(&items, |id, first_line| ProblemKind::DuplicateItem {
            id,
            first_line,
        });
        self.no_duplicates(&open_questions, |id, first_line| {
            ProblemKind::DuplicateOpenQuestion { id, first_line }
        });
        for question in &open_questions {
            if let Some((id, span)) = &question.id {
                if let Some(&item_line) = item_lines.get(id.as_str()) {
                    self.report(
                        Some(span),
                        &question.subject,
                        ProblemKind::IdCollision {
                            id: id.clone(),
                            item_line,
                        },
                    );
                }
            }
        }
        self.meta_targets_are_sound(&items, &meta_spans);
        self.meta_stays_with_its_optional_dimension(&dimensions, &items, &meta_spans);
        self.every_dimension_has_items(&dimensions, root);

        let english = translations::English {
            scale_points: scale.as_ref().map(|scale| scale.labels().len()),
            has_description: description.as_ref().is_some_and(|text| !text.is_empty()),
            dimensions: dimensions
                .iter()
                .filter_map(|entry| {
                    let (id, _) = entry.id.as_ref()?;
                    let described = entry
                        .value
                        .as_ref()
                        .is_some_and(|dimension| !dimension.description.is_empty());
                    Some((id.as_str(), described))
                })
                .collect(),
            items: written_wordings(&items, |item| &item.wording),
            open_questions: written_wordings(&open_questions, |question| &question.wording),
        };
        let translations = self.translations(root, &english);

        Some(Parts {
            id: id?.0,
            title: title?.0,
            description: description.unwrap_or_default(),
            scale: scale?,
            dimensions: values(dimensions)?,
            items: values(items)?,
            open_questions: values(open_questions)?,
            translations: translations?,
        })
    }

    pub(super) fn scale(&mut self, table: &DeTable<'_>, span: &Span) -> Option<Scale> {
        let subject = Subject::Scale;
        self.unknown_keys(table, SCALE_KEYS, &subject);

        let kind = self
            .required_string(table, Some(span), "kind", &subject)
            .and_then(|(name, at)| {
                let kind = ScaleKind::from_name(&name);
                if kind.is_none() {
                    self.report(Some(&at), &subject, ProblemKind::UnknownScaleKind(name));
                }
                kind
            });
        let labels = self.labels(table, span, &subject);
        let dont_know = if table.get("dont_know").is_none() {
            self.report(Some(span), &subject, ProblemKind::MissingDontKnow);
            None
        } else {
            self.required_string(table, Some(span), "dont_know", &subject)
                .map(|(label, at)| {
                    let repeated = labels.iter().flatten().position(|other| *other == label);
                    if let Some(index) = repeated {
                        self.report(
                            Some(&at),
                            &subject,
                            ProblemKind::DontKnowRepeatsLabel(index + 1),
                        );
                    }
                    label
                })
        };
        let favourable = self.favourable(table, &subject, labels.as_ref().map(Vec::len));
        let labels = labels?;
        Some(Scale {
            kind: kind?,
            favourable: favourable?.unwrap_or(Scale::default_favourable(labels.len())),
            labels,
            dont_know: dont_know?,
        })
    }

    /// `favourable = N`: the top N points count as favourable; `Some(None)` when absent.
    fn favourable(
        &mut self,
        table: &DeTable<'_>,
        subject: &Subject,
        points: Option<usize>,
    ) -> Option<Option<u8>> {
        let Some(value) = table.get("favourable") else {
            return Some(None);
        };
        let points = points?;
        let found = match value.get_ref() {
            DeValue::Integer(i) => i.as_str().parse::<u8>().ok(),
            _ => None,
        };
        match found {
            Some(n) if (1..=points).contains(&usize::from(n)) => Some(Some(n)),
            _ => {
                let shown = match value.get_ref() {
                    DeValue::Integer(i) => i.as_str().to_owned(),
                    other => format!("{other:?}"),
                };
                self.report(
                    Some(&value.span()),
                    subject,
                    ProblemKind::FavourableOutOfRange {
                        points,
                        found: shown,
                    },
                );
                None
            }
        }
    }

    pub(super) fn labels(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
    ) -> Option<Vec<String>> {
        let Some(value) = table.get("labels") else {
            self.report(Some(span), subject, ProblemKind::MissingKey("labels"));
            return None;
        };
        let DeValue::Array(array) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                subject,
                "labels",
                "an array of 2 to 11 strings",
                value.get_ref(),
            );
            return None;
        };
        if !(2..=11).contains(&array.len()) {
            self.report(
                Some(&value.span()),
                subject,
                ProblemKind::ScaleLabelCount(array.len()),
            );
        }
        let mut labels = Vec::with_capacity(array.len());
        for (index, label) in array.iter().enumerate() {
            let point = index + 1;
            let DeValue::String(text) = label.get_ref() else {
                self.wrong_type(
                    &label.span(),
                    subject,
                    &format!("labels[{point}]"),
                    "a string",
                    label.get_ref(),
                );
                continue;
            };
            let text = text.trim();
            if text.is_empty() {
                self.report(
                    Some(&label.span()),
                    subject,
                    ProblemKind::BlankScaleLabel(point),
                );
                continue;
            }
            if let Some(first) = labels
                .iter()
                .position(|(other, _): &(String, usize)| other == text)
            {
                self.report(
                    Some(&label.span()),
                    subject,
                    ProblemKind::RepeatedScaleLabel {
                        point,
                        first: labels[first].1,
                        label: text.to_owned(),
                    },
                );
                continue;
            }
            labels.push((text.to_owned(), point));
        }
        let labels: Vec<String> = labels.into_iter().map(|(label, _)| label).collect();
        // A wrong count was reported above; there is no scale to build from it.
        (2..=11).contains(&labels.len()).then_some(labels)
    }

    pub(super) fn dimension(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        id: Option<String>,
    ) -> Option<Dimension> {
        self.unknown_keys(table, DIMENSION_KEYS, subject);
        let name = self.required_string(table, Some(span), "name", subject);
        let description = self.optional_string(table, "description", subject);
        let optional = self.boolean(table, "optional", false, subject);
        Some(Dimension {
            id: id?,
            name: name?.0,
            description: description.unwrap_or_default(),
            optional: optional?,
        })
    }

    pub(super) fn item(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        id: Option<String>,
        declared: &[String],
        meta_of: Option<String>,
    ) -> Option<Item> {
        self.unknown_keys(table, ITEM_KEYS, subject);
        let dimension = self
            .required_string(table, Some(span), "dimension", subject)
            .and_then(|(dimension, at)| {
                if declared.contains(&dimension) {
                    Some(dimension)
                } else {
                    self.report(
                        Some(&at),
                        subject,
                        ProblemKind::UnknownDimension {
                            dimension,
                            declared: declared.to_vec(),
                        },
                    );
                    None
                }
            });
        let wording = self.wording(table, span, subject);
        Some(Item {
            id: id?,
            dimension: dimension?,
            wording: wording?,
            meta_of,
        })
    }

    /// The optional `meta_of` of an item: a non-blank id and where it was written.
    pub(super) fn meta_of(
        &mut self,
        table: &DeTable<'_>,
        subject: &Subject,
    ) -> Option<(String, Span)> {
        let value = table.get("meta_of")?;
        let text = self.optional_string(table, "meta_of", subject)?;
        if text.is_empty() {
            self.report(Some(&value.span()), subject, ProblemKind::Blank("meta_of"));
            return None;
        }
        Some((text, value.span()))
    }

    /// A meta item must name an item of the file that is not itself a meta item, and an item
    /// has at most one meta item: the report pairs them one to one.
    pub(super) fn meta_targets_are_sound(
        &mut self,
        items: &[Entry<Item>],
        meta_spans: &[Option<(String, Span)>],
    ) {
        let ids: Vec<Option<&str>> = items
            .iter()
            .map(|entry| entry.id.as_ref().map(|(id, _)| id.as_str()))
            .collect();
        let mut first_meta: HashMap<&str, usize> = HashMap::new();
        for (index, (entry, meta)) in items.iter().zip(meta_spans).enumerate() {
            let Some((target, span)) = meta else {
                continue;
            };
            let Some(target_index) = ids.iter().position(|id| *id == Some(target.as_str())) else {
                let known: Vec<String> = ids
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| meta_spans.get(*i).is_some_and(Option::is_none))
                    .filter_map(|(_, id)| id.map(str::to_owned))
                    .collect();
                self.report(
                    Some(span),
                    &entry.subject,
                    ProblemKind::UnknownMetaTarget {
                        target: target.clone(),
                        items: known,
                    },
                );
                continue;
            };
            if target_index == index || meta_spans[target_index].is_some() {
                self.report(
                    Some(span),
                    &entry.subject,
                    ProblemKind::MetaOfMeta {
                        target: target.clone(),
                    },
                );
                continue;
            }
            match first_meta.get(target.as_str()) {
                Some(&first_line) => self.report(
                    Some(span),
                    &entry.subject,
                    ProblemKind::DuplicateMeta {
                        target: target.clone(),
                        first_line,
                    },
                ),
                None => {
                    let line = self.line_of(span);
                    first_meta.insert(target.as_str(), line);
                }
            }
        }
    }

    /// A `true`/`false` key, `default` when absent; `None` (reported) for another type.
    fn boolean(
        &mut self,
        table: &DeTable<'_>,
        key: &'static str,
        default: bool,
        subject: &Subject,
    ) -> Option<bool> {
        match table.get(key) {
            None => Some(default),
            Some(value) => match value.get_ref() {
                DeValue::Boolean(flag) => Some(*flag),
                other => {
                    self.wrong_type(&value.span(), subject, key, "true or false", other);
                    None
                }
            },
        }
    }

    /// Where a meta item or its target is in an optional dimension, both must be in the same
    /// one: a wave that leaves the dimension out then asks neither.
    pub(super) fn meta_stays_with_its_optional_dimension(
        &mut self,
        dimensions: &[Entry<Dimension>],
        items: &[Entry<Item>],
        meta_spans: &[Option<(String, Span)>],
    ) {
        let optional = |id: &str| {
            dimensions
                .iter()
                .filter_map(|entry| entry.value.as_ref())
                .any(|d| d.id == id && d.optional)
        };
        let dimension_of = |id: &str| {
            items
                .iter()
                .filter_map(|entry| entry.value.as_ref())
                .find(|item| item.id == id)
                .map(|item| item.dimension.clone())
        };
        for (entry, meta) in items.iter().zip(meta_spans) {
            let (Some(item), Some((target, span))) = (entry.value.as_ref(), meta) else {
                continue;
            };
            let Some(target_dimension) = dimension_of(target) else {
                continue;
            };
            if target_dimension != item.dimension
                && (optional(&target_dimension) || optional(&item.dimension))
            {
                self.report(
                    Some(span),
                    &entry.subject,
                    ProblemKind::MetaAcrossOptional {
                        target: target.clone(),
                        target_dimension,
                        dimension: item.dimension.clone(),
                    },
                );
            }
        }
    }

    pub(super) fn open_question(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        id: Option<String>,
        declared: &[String],
    ) -> Option<OpenQuestion> {
        self.unknown_keys(table, OPEN_QUESTION_KEYS, subject);
        let wording = self.wording(table, span, subject);
        let optional = self.boolean(table, "optional", true, subject);
        // `None` outside: a question without a dimension; `Some(None)`: a wrong one, reported.
        let dimension = match self.optional_string(table, "dimension", subject) {
            None => Some(None),
            Some(dimension) if declared.contains(&dimension) => Some(Some(dimension)),
            Some(dimension) => {
                let at = table.get("dimension").map(|value| value.span());
                self.report(
                    at.as_ref(),
                    subject,
                    ProblemKind::UnknownDimension {
                        dimension,
                        declared: declared.to_vec(),
                    },
                );
                None
            }
        };
        Some(OpenQuestion {
            id: id?,
            wording: wording?,
            optional: optional?,
            dimension: dimension?,
        })
    }

    pub(super) fn wording(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
    ) -> Option<Wording> {
        let [customer, supplier] =
            TemplateSide::BOTH.map(|side| self.side_wording(table, span, subject, side));
        Some(Wording {
            customer: customer?,
            supplier: supplier?,
        })
    }

    pub(super) fn side_wording(
        &mut self,
        table: &DeTable<'_>,
        span: &Span,
        subject: &Subject,
        side: TemplateSide,
    ) -> Option<String> {
        let Some(value) = table.get(side.key()) else {
            self.report(Some(span), subject, ProblemKind::MissingWording { side });
            return None;
        };
        let DeValue::String(text) = value.get_ref() else {
            self.wrong_type(
                &value.span(),
                subject,
                side.key(),
                "a string",
                value.get_ref(),
            );
            return None;
        };
        let text = text.trim();
        if text.is_empty() {
            self.report(
                Some(&value.span()),
                subject,
                ProblemKind::BlankWording { side },
            );
            return None;
        }
        let mut sound = true;
        for kind in placeholder_problems(text, side) {
            self.report(Some(&value.span()), subject, kind);
            sound = false;
        }
        sound.then(|| text.to_owned())
    }
}
