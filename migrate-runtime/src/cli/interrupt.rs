//! Ctrl-C (SIGINT) and SIGTERM during `upgrade` and `downgrade`, when the CLI owns the
//! process ([`CliOptions::handle_signals`](super::CliOptions::handle_signals)): once a
//! migration has started, the first one stops the run when the current migration is done
//! ([`Migrator::stop_on`](crate::Migrator::stop_on)), a second one ends the process at once,
//! as it would have without any of this. Unix only.
//!
//! Outside a run nothing changes: the handlers (installed at the first run, kept for the
//! life of the process, since a signal handler cannot be taken back cleanly) then do what
//! the signal's default action does. Only the CLI installs them, and only when the
//! application lets it; the library never does.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::Migrator;

/// What an `upgrade` or `downgrade` holds while it runs. Once its first migration has
/// started ([`started`]), signals stop the run instead of the process; before that there
/// is nothing to finish (connecting, waiting for the lock), and they end the process as
/// usual. Dropping the last run in progress restores their default action.
pub(crate) struct Run {
    flag: Option<Arc<AtomicBool>>,
}

impl Run {
    /// Begins a run. With `handle_signals`, prepares the handlers (installing them the
    /// first time); without, or without handlers (not a Unix platform, or the installation
    /// failed), signals keep whatever action the process gave them.
    pub(crate) fn new(handle_signals: bool) -> Self {
        Self {
            flag: if handle_signals { imp::begin() } else { None },
        }
    }

    /// `migrator`, stopped between two migrations by a signal when this run handles them.
    pub(crate) fn stoppable(&self, migrator: Migrator) -> Migrator {
        match &self.flag {
            Some(flag) => migrator.stop_on(Arc::clone(flag)),
            None => migrator,
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if self.flag.is_some() {
            imp::end();
        }
    }
}

/// A migration of a [`Run`] handling signals has started: from now on a first signal stops
/// the run between two migrations. Nothing outside such a run.
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
    use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

    use signal_hook::consts::{SIGINT, SIGTERM};

    /// What the handlers and the runs share. A signal stops every run in progress: they
    /// share the stop flag, which is only cleared when a run begins while none is in
    /// progress.
    struct State {
        /// While set, a signal gets its default action (the process ends): always, except
        /// while a run whose first migration has started is in progress and no signal has
        /// stopped the runs yet.
        default_action: Arc<AtomicBool>,
        /// Set by a signal: the runs' stop flag.
        stop: Arc<AtomicBool>,
        /// The number of the last signal received.
        signal: Arc<AtomicUsize>,
        /// How many [`super::Run`]s are in progress (several threads may run the CLI), so
        /// that the end of one leaves the others armed, and [`State::arm`] outside any
        /// does nothing. Changed, and read by `arm`, under the lock; the signal handler
        /// never takes it.
        runs: Mutex<usize>,
    }

    impl State {
        fn new() -> Self {
            Self {
                default_action: Arc::new(AtomicBool::new(true)),
                stop: Arc::new(AtomicBool::new(false)),
                signal: Arc::new(AtomicUsize::new(0)),
                runs: Mutex::new(0),
            }
        }

        fn runs(&self) -> MutexGuard<'_, usize> {
            self.runs.lock().unwrap_or_else(PoisonError::into_inner)
        }

        fn begin(&self) -> Arc<AtomicBool> {
            let mut runs = self.runs();
            if *runs == 0 {
                // A signal that stopped an earlier run does not stop this one; one that
                // stopped a run still in progress stops this one too (before its first
                // migration), as it would have had this one begun first.
                self.signal.store(0, Ordering::SeqCst);
                self.stop.store(false, Ordering::SeqCst);
            }
            *runs += 1;
            Arc::clone(&self.stop)
        }

        fn arm(&self) {
            let runs = self.runs();
            if *runs == 0 {
                return;
            }
            // The default action off first, then the stop flag read: a signal arriving in
            // between has set the stop and then the default action, and the default
            // action is back on here whichever store came last. Read first, a signal
            // between the read and the store would leave the default action off after the
            // stop, and a second signal could not end the process.
            self.default_action.store(false, Ordering::SeqCst);
            if self.stop.load(Ordering::SeqCst) {
                self.default_action.store(true, Ordering::SeqCst);
            }
        }

        fn end(&self) {
            let mut runs = self.runs();
            *runs = runs.saturating_sub(1);
            if *runs == 0 {
                self.default_action.store(true, Ordering::SeqCst);
            }
        }

        fn last_signal(&self) -> Option<u8> {
            match self.signal.load(Ordering::SeqCst) {
                0 => None,
                n => u8::try_from(n).ok(),
            }
        }
    }

    /// The state of the installed handlers; `None` when the installation failed.
    static HANDLERS: OnceLock<Option<State>> = OnceLock::new();

    fn install() -> std::io::Result<State> {
        let state = State::new();
        for sig in [SIGINT, SIGTERM] {
            // In this order: the default action first, for a signal arriving while it is
            // due (outside a run, or the second signal); then the record of the signal, the
            // stop, and the default action for the next one. Due from the start, so that a
            // signal arriving half-way through the installation ends the process as before.
            signal_hook::flag::register_conditional_default(
                sig,
                Arc::clone(&state.default_action),
            )?;
            signal_hook::flag::register_usize(sig, Arc::clone(&state.signal), sig as usize)?;
            signal_hook::flag::register(sig, Arc::clone(&state.stop))?;
            signal_hook::flag::register(sig, Arc::clone(&state.default_action))?;
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
        Ok(state)
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
        let state = HANDLERS.get_or_init(|| install().ok()).as_ref()?;
        Some(state.begin())
    }

    pub(super) fn arm() {
        if let Some(Some(state)) = HANDLERS.get() {
            state.arm();
        }
    }

    pub(super) fn end() {
        if let Some(Some(state)) = HANDLERS.get() {
            state.end();
        }
    }

    pub(super) fn last_signal() -> Option<u8> {
        HANDLERS.get()?.as_ref()?.last_signal()
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

        /// What the installed handlers do with a signal, on `state`: whether it ends the
        /// process (its default action is due), else what they record.
        fn signal(state: &State, sig: i32) -> bool {
            if state.default_action.load(Ordering::SeqCst) {
                return true;
            }
            state.signal.store(sig as usize, Ordering::SeqCst);
            state.stop.store(true, Ordering::SeqCst);
            state.default_action.store(true, Ordering::SeqCst);
            false
        }

        #[test]
        fn a_signal_stops_an_armed_run_and_a_second_one_ends_the_process() {
            let state = State::new();
            assert!(signal(&state, SIGINT), "outside a run: the default action");
            let stop = state.begin();
            assert!(signal(&state, SIGINT), "before the first migration too");
            state.arm();
            assert!(!signal(&state, SIGTERM));
            assert!(stop.load(Ordering::SeqCst));
            assert_eq!(state.last_signal(), Some(15));
            assert!(signal(&state, SIGTERM), "the second signal");
            state.end();
            // Arming outside a run does nothing.
            state.arm();
            assert!(signal(&state, SIGINT));
        }

        #[test]
        fn the_end_of_one_run_leaves_another_armed() {
            let state = State::new();
            let first = state.begin();
            state.arm();
            let second = state.begin();
            state.arm();
            state.end();
            assert!(!signal(&state, SIGINT), "the first run is still going on");
            assert!(first.load(Ordering::SeqCst));
            assert!(second.load(Ordering::SeqCst));
            state.end();
            assert!(state.default_action.load(Ordering::SeqCst));
        }

        #[test]
        fn a_run_beginning_keeps_the_stop_asked_of_one_in_progress() {
            let state = State::new();
            state.begin();
            state.arm();
            assert!(!signal(&state, SIGINT));
            let second = state.begin();
            assert!(second.load(Ordering::SeqCst), "the signal stops it too");
            assert_eq!(state.last_signal(), Some(2));
            state.end();
            state.end();
            // None in progress: a new run starts afresh.
            let third = state.begin();
            assert!(!third.load(Ordering::SeqCst));
            assert_eq!(state.last_signal(), None);
        }

        #[test]
        fn arming_again_after_a_signal_leaves_the_second_signal_its_default_action() {
            // Each migration's start arms the run; a signal before the next one's has
            // stopped it, and the next arming must not take the default action away.
            let state = State::new();
            state.begin();
            state.arm();
            assert!(!signal(&state, SIGINT));
            state.arm();
            assert!(signal(&state, SIGINT));
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
