//! Notices for a person while the library waits on something outside its control (another
//! hishatak process holding the catalog's write lock or the index writer). The CLI
//! installs a handler that prints to stderr; without one, notices are dropped.

use std::sync::OnceLock;

type Handler = Box<dyn Fn(&str) + Send + Sync>;

static HANDLER: OnceLock<Handler> = OnceLock::new();

/// Install the handler (once per process; later calls are ignored).
pub fn set_handler(h: impl Fn(&str) + Send + Sync + 'static) {
    let _ = HANDLER.set(Box::new(h));
}

/// Tell the person something.
pub fn say(msg: &str) {
    if let Some(h) = HANDLER.get() {
        h(msg);
    }
}
