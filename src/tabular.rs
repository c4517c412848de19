//! CSV input checked whole before anything is written: a `Table` of text cells with its
//! header matched against the `Columns` a file must and may have, and every problem as
//! `line N, column C: reason` (`ImportProblem`). Used by every import (roster, history, KPIs).

use std::collections::HashMap;
use std::fmt;

/// One problem in an imported file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// 1-based column, when the problem is in one cell.
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(c) => write!(f, "line {}, column {}: {}", self.line, c, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file was refused, nothing was written:\n{}", list(.0))]
    Invalid(Vec<ImportProblem>),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

fn list(problems: &[ImportProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The columns a file must and may have.
pub(crate) struct Columns {
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
}

/// A CSV file checked for encoding, shape and header, as rows of text cells.
pub(crate) struct Table {
    /// column name → 0-based index in each row
    index: HashMap<String, usize>,
    pub rows: Vec<Row>,
}

pub(crate) struct Row {
    pub line: u64,
    cells: Vec<String>,
}

impl Table {
    /// Reads `bytes` as CSV with a header naming `columns` (any order, any case). Problems
    /// with the file's shape are appended to `problems`; rows with a problem of shape or
    /// encoding are left out of `rows` (the import is refused anyway).
    pub fn read(bytes: &[u8], columns: &Columns, problems: &mut Vec<ImportProblem>) -> Table {
        Self::read_with(bytes, columns, &[], problems)
    }

    /// [`Self::read`] with more optional columns known only at run time (a partnership's
    /// custom roster attributes), already lowercase.
    pub fn read_with(
        bytes: &[u8],
        columns: &Columns,
        extra: &[String],
        problems: &mut Vec<ImportProblem>,
    ) -> Table {
        let mut table = Table {
            index: HashMap::new(),
            rows: Vec::new(),
        };
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            problems.push(ImportProblem {
                line: 1,
                column: None,
                message: "the file is empty".into(),
            });
            return table;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut records = reader.byte_records();
        let header = match records.next() {
            Some(Ok(h)) => h,
            Some(Err(e)) => {
                problems.push(csv_problem(&e));
                return table;
            }
            None => unreachable!("a non-blank file has a first record"),
        };
        let header_len = header.len();
        for (i, raw) in header.iter().enumerate() {
            let Ok(name) = std::str::from_utf8(raw) else {
                problems.push(ImportProblem {
                    line: 1,
                    column: Some(i + 1),
                    message: "the column name is not valid UTF-8".into(),
                });
                continue;
            };
            let key = name.trim().to_ascii_lowercase();
            match columns
                .required
                .iter()
                .chain(columns.optional)
                .copied()
                .chain(extra.iter().map(String::as_str))
                .find(|c| *c == key)
            {
                Some(c) if table.index.contains_key(c) => problems.push(ImportProblem {
                    line: 1,
                    column: Some(i + 1),
                    message: format!("column {c:?} appears twice"),
                }),
                Some(c) => {
                    table.index.insert(c.to_owned(), i);
                }
                None => problems.push(ImportProblem {
                    line: 1,
                    column: Some(i + 1),
                    message: format!(
                        "unknown column {:?} (expected {})",
                        name.trim(),
                        columns
                            .required
                            .iter()
                            .chain(columns.optional)
                            .copied()
                            .chain(extra.iter().map(String::as_str))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
        for c in columns.required {
            if !table.index.contains_key(*c) {
                problems.push(ImportProblem {
                    line: 1,
                    column: None,
                    message: format!("missing column {c:?}"),
                });
            }
        }
        for record in records {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    problems.push(csv_problem(&e));
                    continue;
                }
            };
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            if record.len() == 1 && record.get(0).is_some_and(|c| c.is_empty()) {
                continue; // a blank line
            }
            if record.len() != header_len {
                problems.push(ImportProblem {
                    line,
                    column: None,
                    message: format!("{} fields, but the header has {header_len}", record.len()),
                });
                continue;
            }
            let mut cells = Vec::with_capacity(record.len());
            let mut ok = true;
            for (i, raw) in record.iter().enumerate() {
                match std::str::from_utf8(raw) {
                    Ok(s) if s.contains('\0') => {
                        ok = false;
                        problems.push(ImportProblem {
                            line,
                            column: Some(i + 1),
                            message: crate::domain::NUL_REFUSED.into(),
                        });
                    }
                    Ok(s) => cells.push(s.to_owned()),
                    Err(_) => {
                        ok = false;
                        problems.push(ImportProblem {
                            line,
                            column: Some(i + 1),
                            message: "not valid UTF-8 (save the file as UTF-8)".into(),
                        });
                    }
                }
            }
            if ok {
                table.rows.push(Row { line, cells });
            }
        }
        table
    }

    /// The 1-based column number of `name`, for messages.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.index.get(name).map(|i| i + 1)
    }

    /// The cell of `name` in `row`; empty when the optional column is absent.
    pub fn cell<'r>(&self, row: &'r Row, name: &str) -> &'r str {
        self.index
            .get(name)
            .and_then(|i| row.cells.get(*i))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// A problem located at `name`'s cell of `row`.
    pub fn problem(&self, row: &Row, name: &str, message: impl Into<String>) -> ImportProblem {
        ImportProblem {
            line: row.line,
            column: self.column(name),
            message: format!("{name}: {}", message.into()),
        }
    }
}

fn csv_problem(e: &csv::Error) -> ImportProblem {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    ImportProblem {
        line,
        column: None,
        message: format!("the CSV cannot be read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: Columns = Columns {
        required: &["a", "b"],
        optional: &["c"],
    };

    #[test]
    fn reads_a_file_with_a_bom_and_columns_in_any_order() {
        let mut p = Vec::new();
        let t = Table::read(b"\xEF\xBB\xBFB,A\n2,1\n", &COLS, &mut p);
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(t.cell(&t.rows[0], "a"), "1");
        assert_eq!(t.cell(&t.rows[0], "c"), "");
        assert_eq!(t.rows[0].line, 2);
    }

    #[test]
    fn reports_header_shape_and_encoding_problems_with_positions() {
        let mut p = Vec::new();
        Table::read(b"a,x,a\n1,2\n1,\xff,3\n", &COLS, &mut p);
        let shown: Vec<String> = p.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 1, column 2: unknown column \"x\" (expected a, b, c)",
                "line 1, column 3: column \"a\" appears twice",
                "line 1: missing column \"b\"",
                "line 2: 2 fields, but the header has 3",
                "line 3, column 2: not valid UTF-8 (save the file as UTF-8)",
            ]
        );
    }

    #[test]
    fn an_empty_file_is_a_problem() {
        let mut p = Vec::new();
        Table::read(b"  \n", &COLS, &mut p);
        assert_eq!(p[0].to_string(), "line 1: the file is empty");
    }
}
