//! Whether the page was hidden during a run: browsers slow timers in background tabs, so such a
//! run's figures are distorted. Visibility is a document event, so this listens for it rather
//! than polling.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;

/// Watches the page's visibility while it is kept; stops listening when dropped.
pub struct HiddenWatch {
    seen: Rc<Cell<bool>>,
    listener: Option<(web_sys::Document, Closure<dyn FnMut()>)>,
}

impl HiddenWatch {
    /// Starts watching (a page hidden now counts as hidden).
    pub fn start() -> HiddenWatch {
        let seen = Rc::new(Cell::new(false));
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return HiddenWatch { seen, listener: None };
        };
        seen.set(doc.hidden());
        let (flag, d) = (seen.clone(), doc.clone());
        let listener = Closure::<dyn FnMut()>::new(move || flag.set(flag.get() || d.hidden()));
        let _ = doc.add_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
        HiddenWatch { seen, listener: Some((doc, listener)) }
    }

    /// Whether the page was hidden at any moment since the watch started.
    pub fn was_hidden(&self) -> bool {
        self.seen.get() || self.listener.as_ref().is_some_and(|(d, _)| d.hidden())
    }
}

impl Drop for HiddenWatch {
    fn drop(&mut self) {
        if let Some((doc, listener)) = &self.listener {
            let _ = doc
                .remove_event_listener_with_callback("visibilitychange", listener.as_ref().unchecked_ref());
        }
    }
}
