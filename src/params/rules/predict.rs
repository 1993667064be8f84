//! `predict`: the page asks for the run's headline figure before the run (src/report/predict.rs
//! compares it after). It changes nothing in the run; a link or a `run()` call that gives it a
//! value other than on or off is refused like any switch.

use super::{FieldError, Opt, Options};

/// The switch as given.
pub(super) fn predict(o: &Options) -> Vec<FieldError> {
    o.refusals(&[Opt::Predict])
}
