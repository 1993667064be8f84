//! Options of the page's view of a run, which the engine does not use but still checks, so that a
//! link or an embed with a bad value hears about it next to the field.

use super::{FieldError, Opt, Options};

/// Presentation mode as given (a switch).
pub(super) fn present(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Present])
}
