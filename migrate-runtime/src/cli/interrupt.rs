//! Ctrl-C (SIGINT) and SIGTERM during `upgrade` and `downgrade`: the first one stops the run
//! once the current migration is done ([`Migrator::stop_on`](crate::Migrator::stop_on)),
//! a second one ends the process at once, as it would have without any of this.
//!
//! Outside a run nothing changes: the handlers (installed at the first run, kept for the
//! life of the process, since a signal handler cannot be taken back cleanly) then do what
//! the signal's default action does. Only the CLI installs them; the library never does.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What an `upgrade` or `downgrade` holds while it runs: signals stop the run instead of
/// the process. Dropping it restores their default action.
pub(crate) struct Armed {
    flag: Option<Arc<AtomicBool>>,
}

impl Armed {
    /// Arms the handlers (installing them the first time). Without handlers (not a Unix
    /// platform, or the installation failed), signals keep their default action.
    pub(crate) fn new() -> Self {
        Self { flag: imp::arm() }
    }

    /// The flag to give [`Migrator::stop_on`](crate::Migrator::stop_on).
    pub(crate) fn flag(&self) -> Option<Arc<AtomicBool>> {
        self.flag.clone()
    }
}

impl Drop for Armed {
    fn drop(&mut self) {
        if self.flag.is_some() {
            imp::disarm();
        }
    }
}

/// The exit code of a run stopped by a signal: 128 plus the signal's number, as a shell
/// reports a process the signal ended (130 for SIGINT, 143 for SIGTERM).
pub(crate) fn exit_code() -> u8 {
    128 + imp::last_signal().unwrap_or(2)
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, OnceLock};

    use signal_hook::consts::{SIGINT, SIGTERM};

    /// The handlers' shared state.
    struct Handlers {
        /// Set by a signal, and whenever no run is armed: a signal arriving while it is set
        /// gets the default action (the process ends).
        stop: Arc<AtomicBool>,
        /// The number of the last signal received.
        signal: Arc<AtomicUsize>,
    }

    static HANDLERS: OnceLock<Option<Handlers>> = OnceLock::new();

    fn install() -> std::io::Result<Handlers> {
        let stop = Arc::new(AtomicBool::new(true));
        let signal = Arc::new(AtomicUsize::new(0));
        for sig in [SIGINT, SIGTERM] {
            // In this order: the default action first, for a signal arriving while the flag
            // is set (no run armed, or a second signal); then the record of the signal and
            // the flag. With the flag set from the start, a signal arriving half-way through
            // the installation ends the process as before.
            signal_hook::flag::register_conditional_default(sig, Arc::clone(&stop))?;
            signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)?;
            signal_hook::flag::register(sig, Arc::clone(&stop))?;
        }
        // A signal handler may not print; a thread woken by the signal does. It only ever
        // sees a first signal of a run: any other ended the process before it woke.
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        std::thread::Builder::new()
            .name("migrate-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    eprintln!("{}", announcement(sig));
                }
            })?;
        Ok(Handlers { stop, signal })
    }

    /// What the CLI says when a signal asks a run to stop.
    fn announcement(sig: i32) -> String {
        let (name, again) = if sig == SIGINT {
            ("SIGINT", "press Ctrl-C again")
        } else {
            ("SIGTERM", "send it again")
        };
        format!(
            "received {name}: the run stops once the current migration is done; {again} to \
             quit at once (the database then rolls that migration back, except what MySQL or \
             a `transactional = false` migration committed, which the next run reports)"
        )
    }

    pub(super) fn arm() -> Option<std::sync::Arc<AtomicBool>> {
        let handlers = HANDLERS.get_or_init(|| install().ok()).as_ref()?;
        handlers.signal.store(0, Ordering::SeqCst);
        handlers.stop.store(false, Ordering::SeqCst);
        Some(Arc::clone(&handlers.stop))
    }

    pub(super) fn disarm() {
        if let Some(Some(handlers)) = HANDLERS.get() {
            handlers.stop.store(true, Ordering::SeqCst);
        }
    }

    pub(super) fn last_signal() -> Option<u8> {
        let handlers = HANDLERS.get()?.as_ref()?;
        match handlers.signal.load(Ordering::SeqCst) {
            0 => None,
            n => u8::try_from(n).ok(),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_announcement_says_what_happens_now_and_on_a_second_signal() {
            let int = announcement(SIGINT);
            assert!(
                int.starts_with("received SIGINT: the run stops once"),
                "{int}"
            );
            assert!(int.contains("press Ctrl-C again to quit at once"), "{int}");
            assert!(announcement(SIGTERM).contains("send it again"));
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    pub(super) fn arm() -> Option<Arc<AtomicBool>> {
        None
    }

    pub(super) fn disarm() {}

    pub(super) fn last_signal() -> Option<u8> {
        None
    }
}
