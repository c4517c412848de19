//! Parsed domain types. Each has private fields (or a checked constructor) and a `parse` that
//! says what is wrong, so that once a value exists the rest of the code can trust it.
//! Nothing here does I/O.

mod answer;
mod cadence;
mod email;
mod language;
pub mod partnership;
pub mod series;
mod side;
mod text;
pub mod utc;

pub use answer::{Answer, Likert};
pub use cadence::Cadence;
pub use email::Email;
pub use language::Language;
pub use partnership::{FieldProblem, PartnershipInput, PartnershipSpec, PartnershipState};
pub use series::{SeriesInput, SeriesKey, SeriesSpec, MAIN_SERIES};
pub use side::Side;
pub use text::{check_no_nul, humanize, segment_key, AttributeText, NUL_REFUSED};
