//! Ctrl-C (SIGINT) and SIGTERM during `upgrade` and `downgrade`: once a migration has
//! started, the first one stops the run when the current migration is done
//! ([`Migrator::stop_on`](crate::Migrator::stop_on)), a second one ends the process at once,
//! as it would have without any of this.
//!
//! Outside a run nothing changes: the handlers (installed at the first run, kept for the
//! life of the process, since a signal handler cannot be taken back cleanly) then do what
//! the signal's default action does. Only the CLI installs them; the library never does.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// What an `upgrade` or `downgrade` holds while it runs. Once its first migration has
/// started ([`started`]), signals stop the run instead of the process; before that there
/// is nothing to finish (connecting, waiting for the lock), and they end the process as
/// usual. Dropping it restores their default action.
pub(crate) struct Run {
    flag: Option<Arc<AtomicBool>>,
}

impl Run {
    /// Prepares the handlers (installing them the first time). Without handlers (not a
    /// Unix platform, or the installation failed), signals keep their default action.
    pub(crate) fn new() -> Self {
        Self { flag: imp::begin() }
    }

    /// The flag to give [`Migrator::stop_on`](crate::Migrator::stop_on).
    pub(crate) fn stop_flag(&self) -> Option<Arc<AtomicBool>> {
        self.flag.clone()
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.flag.is_some() {
            imp::end();
        }
    }
}

/// A migration of the current [`Run`] has started: from now on a first signal stops the
/// run between two migrations. Nothing outside a run.
pub(crate) fn started() {
    imp::arm();
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
        /// While set, a signal gets its default action (the process ends): always, except
        /// in a run whose first migration has started and that no signal has stopped yet.
        default_action: Arc<AtomicBool>,
        /// Set by a signal: the run's stop flag.
        stop: Arc<AtomicBool>,
        /// The number of the last signal received.
        signal: Arc<AtomicUsize>,
        /// Whether a [`super::Run`] is going on, so that [`arm`] outside one does nothing.
        in_run: AtomicBool,
    }

    static HANDLERS: OnceLock<Option<Handlers>> = OnceLock::new();

    fn install() -> std::io::Result<Handlers> {
        let default_action = Arc::new(AtomicBool::new(true));
        let stop = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        for sig in [SIGINT, SIGTERM] {
            // In this order: the default action first, for a signal arriving while it is
            // due (outside a run, or the second signal); then the record of the signal, the
            // stop, and the default action for the next one. Due from the start, so that a
            // signal arriving half-way through the installation ends the process as before.
            signal_hook::flag::register_conditional_default(sig, Arc::clone(&default_action))?;
            signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize)?;
            signal_hook::flag::register(sig, Arc::clone(&stop))?;
            signal_hook::flag::register(sig, Arc::clone(&default_action))?;
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
        Ok(Handlers {
            default_action,
            stop,
            signal,
            in_run: AtomicBool::new(false),
        })
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

    pub(super) fn begin() -> Option<Arc<AtomicBool>> {
        let handlers = HANDLERS.get_or_init(|| install().ok()).as_ref()?;
        handlers.signal.store(0, Ordering::SeqCst);
        handlers.stop.store(false, Ordering::SeqCst);
        handlers.in_run.store(true, Ordering::SeqCst);
        Some(Arc::clone(&handlers.stop))
    }

    pub(super) fn arm() {
        if let Some(Some(handlers)) = HANDLERS.get()
            && handlers.in_run.load(Ordering::SeqCst)
            && !handlers.stop.load(Ordering::SeqCst)
        {
            handlers.default_action.store(false, Ordering::SeqCst);
        }
    }

    pub(super) fn end() {
        if let Some(Some(handlers)) = HANDLERS.get() {
            handlers.in_run.store(false, Ordering::SeqCst);
            handlers.default_action.store(true, Ordering::SeqCst);
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

    pub(super) fn begin() -> Option<Arc<AtomicBool>> {
        None
    }

    pub(super) fn arm() {}

    pub(super) fn end() {}

    pub(super) fn last_signal() -> Option<u8> {
        None
    }
}
