//! Ctrl-C (SIGINT) and SIGTERM during `upgrade` and `downgrade`, when the CLI owns the
//! process ([`CliOptions::handle_signals`](super::CliOptions::handle_signals)): once a
//! migration has started, the first one stops the run when the current migration is done
//! ([`Migrator::stop_on`](crate::Migrator::stop_on)). On PostgreSQL and MySQL a second one
//! cancels the statement the run's connection is executing, from a connection of its own,
//! so that the migration fails and rolls back now (a killed client's session would go on
//! with the statement, and keep the run's lock, until it ends), and a third one ends the
//! process at once; on SQLite, whose statements die with the process, the second one ends
//! it. Unix only.
//!
//! Outside a run nothing changes: the handlers (installed at the first run, kept for the
//! life of the process, since a signal handler cannot be taken back cleanly) then do what
//! the signal's default action does. Only the CLI installs them, and only when the
//! application lets it; the library never does.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::{DatabaseUrl, Migrator};

/// What an `upgrade` or `downgrade` holds while it runs. Once its first migration has
/// started ([`started`]), signals stop the run instead of the process; before that there
/// is nothing to finish (connecting, waiting for the lock), and they end the process as
/// usual. Dropping the last run in progress restores their default action.
pub(crate) struct Run {
    /// The stop flag, and this run's number among those of the process; `None` when the
    /// run does not handle signals.
    handling: Option<(Arc<AtomicBool>, u64)>,
}

impl Run {
    /// Begins a run. With `handle_signals`, prepares the handlers (installing them the
    /// first time); without, or without handlers (not a Unix platform, or the installation
    /// failed), signals keep whatever action the process gave them.
    pub(crate) fn new(handle_signals: bool) -> Self {
        Self {
            handling: if handle_signals { imp::begin() } else { None },
        }
    }

    /// `migrator`, stopped between two migrations by a signal when this run handles them,
    /// and, on a server, with its statement in progress cancelled by a second one: the run
    /// learns its connection's server session from the statement that takes its lock
    /// ([`Migrator::on_session`]), which precedes the first migration, and `url` is where
    /// the cancelling connection goes. Nothing otherwise: no query of its own, and a
    /// second signal ends the process. Neither does a run with nothing to do read a
    /// session: it takes no lock.
    pub(crate) fn interruptible(&self, migrator: Migrator, url: &DatabaseUrl) -> Migrator {
        match &self.handling {
            Some((flag, run)) => {
                let (run, url) = (*run, url.clone());
                migrator
                    .stop_on(Arc::clone(flag))
                    .on_session(move |session| imp::cancellable(run, &url, session))
            }
            None => migrator,
        }
    }

    /// The name of the signal (`SIGINT`, `SIGTERM`) that asked this run to stop, when it
    /// handles signals and one did. Asked of a run that returned its report, it says that
    /// the stop came during the run's last migration, which finished: there was nothing
    /// left to stop.
    pub(crate) fn stopped_by(&self) -> Option<&'static str> {
        let (flag, _) = self.handling.as_ref()?;
        flag.load(Ordering::SeqCst)
            .then(|| imp::last_signal_name().unwrap_or("a signal"))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if let Some((_, run)) = &self.handling {
            imp::end(*run);
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

/// What the CLI says after a failed migration when a signal had its statement cancelled,
/// the signal's name; `None` when no cancel was sent (or sending it failed) during the
/// runs in progress.
pub(crate) fn cancelled() -> Option<&'static str> {
    imp::cancelled()
}

#[cfg(unix)]
mod imp {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

    use signal_hook::consts::{SIGINT, SIGTERM};

    use crate::DatabaseUrl;

    /// What the handlers and the runs share. A signal stops every run in progress: they
    /// share the stop flag, which is only cleared when a run begins while none is in
    /// progress.
    struct State {
        /// While set, a signal gets its default action (the process ends): always, except
        /// while a run whose first migration has started is in progress and no signal has
        /// stopped the runs yet, or (on a server) one has and the next one is to cancel
        /// the statement in progress.
        default_action: Arc<AtomicBool>,
        /// Set by a signal: the runs' stop flag.
        stop: Arc<AtomicBool>,
        /// The number of the last signal received.
        signal: Arc<AtomicUsize>,
        /// The runs in progress and what the signal thread did for them. Changed, and read
        /// by `arm`, under the lock; the signal handler never takes it.
        runs: Mutex<Runs>,
    }

    /// See [`State::runs`].
    #[derive(Default)]
    struct Runs {
        /// How many [`super::Run`]s are in progress (several threads may run the CLI), so
        /// that the end of one leaves the others armed, and [`State::arm`] outside any
        /// does nothing.
        count: usize,
        /// The number the next run gets.
        next: u64,
        /// The server sessions whose statement a second signal cancels, by run.
        targets: Vec<(u64, Target)>,
        /// How far the signals of the runs in progress have gone.
        stage: Stage,
    }

    /// What the signal thread has done since the runs in progress began.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    enum Stage {
        /// Nothing.
        #[default]
        Quiet,
        /// A signal stopped the runs and no cancel was offered: the next one ends the
        /// process.
        Stopping,
        /// A signal stopped the runs and the next one cancels the statements in progress.
        Offered,
        /// That signal (its number) sent the cancels; `failed`: none of them was sent.
        Cancelled { signal: i32, failed: bool },
    }

    /// A server session a second signal cancels the statement of.
    #[derive(Debug, Clone)]
    pub(super) struct Target {
        /// Where to open the cancelling connection; its `Display` redacts the password.
        url: DatabaseUrl,
        /// The server session of the run's connection ([`crate::Migrator::on_session`]).
        session: i64,
    }

    impl Target {
        /// `PostgreSQL session 4242`, `MySQL connection 42`.
        fn describe(&self) -> String {
            let kind = match self.url.backend() {
                crate::Backend::Mysql => "connection",
                _ => "session",
            };
            format!("{} {kind} {}", self.url.backend(), self.session)
        }

        /// Sends the cancel: what went wrong, for people, if it was not sent.
        fn cancel(&self) -> Result<(), String> {
            match crate::backend::cancel_statement(&self.url, self.session) {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!("{} has ended", self.describe())),
                Err(err) => Err(format!("through {}: {err}", self.url)),
            }
        }
    }

    /// What the signal thread does about a signal the handlers did not end the process
    /// for (see [`State::received`]).
    #[derive(Debug)]
    enum Reaction {
        /// Say that the runs stop; `cancellable`: that the next signal cancels the
        /// statements in progress rather than ending the process.
        Stop { cancellable: bool },
        /// Cancel the statements of these sessions.
        Cancel(Vec<Target>),
        /// Nothing: the signal concerns no run in progress.
        Nothing,
    }

    impl State {
        fn new() -> Self {
            Self {
                default_action: Arc::new(AtomicBool::new(true)),
                stop: Arc::new(AtomicBool::new(false)),
                signal: Arc::new(AtomicUsize::new(0)),
                runs: Mutex::new(Runs::default()),
            }
        }

        fn runs(&self) -> MutexGuard<'_, Runs> {
            self.runs.lock().unwrap_or_else(PoisonError::into_inner)
        }

        fn begin(&self) -> (Arc<AtomicBool>, u64) {
            let mut runs = self.runs();
            if runs.count == 0 {
                // A signal that stopped an earlier run does not stop this one; one that
                // stopped a run still in progress stops this one too (before its first
                // migration), as it would have had this one begun first.
                self.signal.store(0, Ordering::SeqCst);
                self.stop.store(false, Ordering::SeqCst);
                runs.stage = Stage::Quiet;
            }
            runs.count += 1;
            runs.next += 1;
            (Arc::clone(&self.stop), runs.next)
        }

        fn add_target(&self, run: u64, target: Target) {
            self.runs().targets.push((run, target));
        }

        fn arm(&self) {
            let runs = self.runs();
            if runs.count == 0 {
                return;
            }
            // The default action off first, then the stop flag read: a signal arriving in
            // between has set the stop and then the default action, and the default
            // action is back on here whichever store came last. Read first, a signal
            // between the read and the store would leave the default action off after the
            // stop, and a second signal could not end the process. (After a stop this
            // also takes back the cancel the signal thread may have offered: the next
            // signal ends the process, the safe side of a race between a signal and the
            // start of a migration.)
            self.default_action.store(false, Ordering::SeqCst);
            if self.stop.load(Ordering::SeqCst) {
                self.default_action.store(true, Ordering::SeqCst);
            }
        }

        /// The signal thread's part of signal `sig`, which the handlers did not end the
        /// process for: they have recorded it, set the stop and then the default action
        /// (the thread is woken after all of them). A first signal of the runs in
        /// progress turns the default action back off when there is a statement to cancel,
        /// so that the second one reaches this thread, which cancels; that one's handlers
        /// have set the default action again, for the third. A second signal arriving
        /// before this thread turned it off ends the process, as without a cancel.
        fn received(&self, sig: i32) -> Reaction {
            let mut runs = self.runs();
            match runs.stage {
                Stage::Quiet => {
                    // The stop is cleared when a run begins with none in progress: a
                    // signal it does not show stopped runs that have ended since.
                    if runs.count == 0 || !self.stop.load(Ordering::SeqCst) {
                        return Reaction::Stop { cancellable: false };
                    }
                    let cancellable = !runs.targets.is_empty();
                    if cancellable {
                        // Under the lock, so that a run ending now (which turns it on
                        // again when it is the last) comes after.
                        self.default_action.store(false, Ordering::SeqCst);
                        runs.stage = Stage::Offered;
                    } else {
                        runs.stage = Stage::Stopping;
                    }
                    Reaction::Stop { cancellable }
                }
                Stage::Offered if !runs.targets.is_empty() => {
                    runs.stage = Stage::Cancelled {
                        signal: sig,
                        failed: false,
                    };
                    Reaction::Cancel(runs.targets.iter().map(|(_, t)| t.clone()).collect())
                }
                // The runs with something to cancel have ended; or a signal the default
                // action was due for, which the process did not survive.
                _ => Reaction::Nothing,
            }
        }

        /// No cancel of the signal that sent them was sent.
        fn cancel_failed(&self) {
            if let Stage::Cancelled { failed, .. } = &mut self.runs().stage {
                *failed = true;
            }
        }

        /// The signal whose cancel was sent during the runs in progress.
        fn cancelled(&self) -> Option<i32> {
            match self.runs().stage {
                Stage::Cancelled {
                    signal,
                    failed: false,
                } => Some(signal),
                _ => None,
            }
        }

        fn end(&self, run: u64) {
            let mut runs = self.runs();
            runs.targets.retain(|(of, _)| *of != run);
            runs.count = runs.count.saturating_sub(1);
            if runs.count == 0 {
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
    static HANDLERS: OnceLock<Option<&'static State>> = OnceLock::new();

    fn install() -> std::io::Result<&'static State> {
        // Shared with the signal thread for the life of the process, as the handlers are.
        let state: &'static State = Box::leak(Box::new(State::new()));
        for sig in [SIGINT, SIGTERM] {
            // In this order: the default action first, for a signal arriving while it is
            // due (outside a run, or the signal after the stop, or after the cancel); then
            // the record of the signal, the stop, and the default action for the next one.
            // Due from the start, so that a signal arriving half-way through the
            // installation ends the process as before.
            signal_hook::flag::register_conditional_default(
                sig,
                Arc::clone(&state.default_action),
            )?;
            signal_hook::flag::register_usize(sig, Arc::clone(&state.signal), sig as usize)?;
            signal_hook::flag::register(sig, Arc::clone(&state.stop))?;
            signal_hook::flag::register(sig, Arc::clone(&state.default_action))?;
        }
        // Registered last, so that the thread wakes after the handlers above have run.
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        // A signal handler may not print nor connect; a thread woken by the signal does.
        // It only ever sees the signals the process survived.
        std::thread::Builder::new()
            .name("migrate-signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    react(state, sig);
                }
            })?;
        Ok(state)
    }

    /// What the signal thread does on signal `sig`.
    fn react(state: &State, sig: i32) {
        match state.received(sig) {
            Reaction::Stop { cancellable } => eprintln!("{}", announcement(sig, cancellable)),
            Reaction::Cancel(targets) => {
                let mut sent = false;
                for target in targets {
                    eprintln!("{}", cancelling(sig, &target));
                    match target.cancel() {
                        Ok(()) => sent = true,
                        Err(why) => eprintln!("{}", cannot_cancel(sig, &why)),
                    }
                }
                if !sent {
                    state.cancel_failed();
                }
            }
            Reaction::Nothing => {}
        }
    }

    /// A signal's name, and what to do to send it again.
    fn name(sig: i32) -> (&'static str, &'static str) {
        if sig == SIGINT {
            ("SIGINT", "press Ctrl-C again")
        } else {
            ("SIGTERM", "send it again")
        }
    }

    /// What the CLI says when a signal asks a run to stop; `cancellable`: the next signal
    /// cancels the statement in progress rather than ending the process.
    fn announcement(sig: i32, cancellable: bool) -> String {
        let (name, again) = name(sig);
        if cancellable {
            format!(
                "received {name}: the run stops once the current migration is done; {again} \
                 to cancel the statement in progress (the migration then fails and rolls \
                 back, except what MySQL or a `transactional = false` migration committed, \
                 which the next run reports)"
            )
        } else {
            format!(
                "received {name}: the run stops once the current migration is done; {again} \
                 to quit at once (the database then rolls that migration back, except what \
                 MySQL or a `transactional = false` migration committed, which the next run \
                 reports)"
            )
        }
    }

    /// What the CLI says when a second signal cancels the statement of `target`.
    fn cancelling(sig: i32, target: &Target) -> String {
        let (name, again) = name(sig);
        format!(
            "received {name} again: cancelling the statement in progress of {} from another \
             connection; {again} to quit at once",
            target.describe()
        )
    }

    /// What the CLI says when the cancel could not be sent.
    fn cannot_cancel(sig: i32, why: &str) -> String {
        let (_, again) = name(sig);
        format!("cannot cancel the statement in progress ({why}); {again} to quit at once")
    }

    /// The handlers' state, installing them the first time.
    fn handlers() -> Option<&'static State> {
        *HANDLERS.get_or_init(|| install().ok())
    }

    pub(super) fn begin() -> Option<(Arc<AtomicBool>, u64)> {
        Some(handlers()?.begin())
    }

    pub(super) fn cancellable(run: u64, url: &DatabaseUrl, session: i64) {
        if let Some(Some(state)) = HANDLERS.get() {
            state.add_target(
                run,
                Target {
                    url: url.clone(),
                    session,
                },
            );
        }
    }

    pub(super) fn arm() {
        if let Some(Some(state)) = HANDLERS.get() {
            state.arm();
        }
    }

    pub(super) fn end(run: u64) {
        if let Some(Some(state)) = HANDLERS.get() {
            state.end(run);
        }
    }

    pub(super) fn last_signal() -> Option<u8> {
        (*HANDLERS.get()?)?.last_signal()
    }

    pub(super) fn cancelled() -> Option<&'static str> {
        let sig = (*HANDLERS.get()?)?.cancelled()?;
        Some(name(sig).0)
    }

    pub(super) fn last_signal_name() -> Option<&'static str> {
        let sig = (*HANDLERS.get()?)?.last_signal()?;
        Some(name(i32::from(sig)).0)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn the_announcement_says_what_happens_now_and_on_a_second_signal() {
            let int = announcement(SIGINT, false);
            assert!(
                int.starts_with("received SIGINT: the run stops once"),
                "{int}"
            );
            assert!(int.contains("press Ctrl-C again to quit at once"), "{int}");
            assert!(announcement(SIGTERM, false).contains("send it again to quit"));
            let server = announcement(SIGINT, true);
            assert!(
                server.contains("press Ctrl-C again to cancel the statement in progress"),
                "{server}"
            );
            assert!(announcement(SIGTERM, true).contains("send it again to cancel"));
        }

        fn target(url: &str) -> Target {
            Target {
                url: DatabaseUrl::parse(url).unwrap(),
                session: 4242,
            }
        }

        #[test]
        fn the_cancel_lines_name_the_session_but_not_the_password() {
            let pg = target("postgres://app:s3cret@db.example/app");
            let line = cancelling(SIGINT, &pg);
            assert!(
                line.starts_with(
                    "received SIGINT again: cancelling the statement in progress of \
                     PostgreSQL session 4242"
                ),
                "{line}"
            );
            assert!(
                line.ends_with("press Ctrl-C again to quit at once"),
                "{line}"
            );
            let my = cancelling(SIGTERM, &target("mysql://root:s3cret@db/app"));
            assert!(my.contains("of MySQL connection 4242"), "{my}");
            // A server nobody listens on: the cancel fails, and says so without the
            // password.
            let unreachable = target("postgres://app:s3cret@127.0.0.1:1/app");
            let why = unreachable.cancel().unwrap_err();
            let line = cannot_cancel(SIGINT, &why);
            assert!(
                line.starts_with("cannot cancel the statement in progress (through postgres://"),
                "{line}"
            );
            assert!(!line.contains("s3cret"), "{line}");
            assert!(
                line.ends_with("press Ctrl-C again to quit at once"),
                "{line}"
            );
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

        /// What the signal thread does with a signal the process survived: whether it says
        /// that the next one cancels, or the sessions it cancels.
        fn thread(state: &State, sig: i32) -> Reaction {
            state.received(sig)
        }

        #[test]
        fn a_signal_stops_an_armed_run_and_a_second_one_ends_the_process() {
            let state = State::new();
            assert!(signal(&state, SIGINT), "outside a run: the default action");
            let (stop, run) = state.begin();
            assert!(signal(&state, SIGINT), "before the first migration too");
            state.arm();
            assert!(!signal(&state, SIGTERM));
            assert!(stop.load(Ordering::SeqCst));
            assert_eq!(state.last_signal(), Some(15));
            // Nothing to cancel (SQLite): the thread only announces the stop.
            assert!(matches!(
                thread(&state, SIGTERM),
                Reaction::Stop { cancellable: false }
            ));
            assert!(signal(&state, SIGTERM), "the second signal");
            state.end(run);
            // Arming outside a run does nothing.
            state.arm();
            assert!(signal(&state, SIGINT));
        }

        #[test]
        fn on_a_server_the_second_signal_cancels_and_the_third_ends_the_process() {
            let state = State::new();
            let (stop, run) = state.begin();
            state.add_target(run, target("postgres://app@db/app"));
            state.arm();
            assert!(!signal(&state, SIGINT));
            assert!(stop.load(Ordering::SeqCst));
            assert!(matches!(
                thread(&state, SIGINT),
                Reaction::Stop { cancellable: true }
            ));
            assert_eq!(state.cancelled(), None, "nothing cancelled yet");
            assert!(!signal(&state, SIGTERM), "the second signal cancels");
            match thread(&state, SIGTERM) {
                Reaction::Cancel(targets) => {
                    assert_eq!(targets.len(), 1);
                    assert_eq!(targets[0].session, 4242);
                }
                other => panic!("{other:?}"),
            }
            assert_eq!(state.cancelled(), Some(SIGTERM));
            assert_eq!(state.last_signal(), Some(15));
            assert!(signal(&state, SIGINT), "the third signal");
            state.end(run);
            assert!(state.default_action.load(Ordering::SeqCst));
            // The next run starts afresh: no cancel recorded, nothing to cancel.
            let (_, next) = state.begin();
            assert_eq!(state.cancelled(), None);
            state.arm();
            assert!(!signal(&state, SIGINT));
            assert!(matches!(
                thread(&state, SIGINT),
                Reaction::Stop { cancellable: false }
            ));
            assert!(signal(&state, SIGINT));
            state.end(next);
        }

        #[test]
        fn a_cancel_that_could_not_be_sent_is_not_reported_as_sent() {
            let state = State::new();
            let (_, run) = state.begin();
            state.add_target(run, target("mysql://root@db/app"));
            state.arm();
            assert!(!signal(&state, SIGINT));
            thread(&state, SIGINT);
            assert!(!signal(&state, SIGINT));
            assert!(matches!(thread(&state, SIGINT), Reaction::Cancel(_)));
            state.cancel_failed();
            assert_eq!(state.cancelled(), None);
            assert!(signal(&state, SIGINT), "a further signal ends the process");
            state.end(run);
        }

        #[test]
        fn the_offer_of_a_cancel_does_not_outlive_the_runs() {
            // The run ends between the first signal and the thread: the thread offers
            // nothing and leaves the default action on.
            let state = State::new();
            let (_, run) = state.begin();
            state.add_target(run, target("postgres://app@db/app"));
            state.arm();
            assert!(!signal(&state, SIGINT));
            state.end(run);
            assert!(matches!(
                thread(&state, SIGINT),
                Reaction::Stop { cancellable: false }
            ));
            assert!(signal(&state, SIGINT));
            // The run ends after the offer: its end turns the default action back on.
            let (_, run) = state.begin();
            state.add_target(run, target("postgres://app@db/app"));
            state.arm();
            assert!(!signal(&state, SIGINT));
            assert!(matches!(
                thread(&state, SIGINT),
                Reaction::Stop { cancellable: true }
            ));
            state.end(run);
            assert!(signal(&state, SIGINT));
            // A late second signal finds nothing to cancel.
            assert!(matches!(thread(&state, SIGINT), Reaction::Nothing));
        }

        #[test]
        fn the_end_of_one_run_leaves_another_armed() {
            let state = State::new();
            let (first, one) = state.begin();
            state.arm();
            let (second, two) = state.begin();
            state.arm();
            state.end(two);
            assert!(!signal(&state, SIGINT), "the first run is still going on");
            assert!(first.load(Ordering::SeqCst));
            assert!(second.load(Ordering::SeqCst));
            state.end(one);
            assert!(state.default_action.load(Ordering::SeqCst));
        }

        #[test]
        fn a_run_beginning_keeps_the_stop_asked_of_one_in_progress() {
            let state = State::new();
            let (_, one) = state.begin();
            state.arm();
            assert!(!signal(&state, SIGINT));
            let (second, two) = state.begin();
            assert!(second.load(Ordering::SeqCst), "the signal stops it too");
            assert_eq!(state.last_signal(), Some(2));
            state.end(one);
            state.end(two);
            // None in progress: a new run starts afresh.
            let (third, _) = state.begin();
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

        #[test]
        fn arming_after_an_offered_cancel_leaves_the_next_signal_its_default_action() {
            // A migration starting after the stop (a race with the check between two
            // migrations) takes the offer back: the next signal ends the process, the
            // side that cannot leave a run unkillable.
            let state = State::new();
            let (_, run) = state.begin();
            state.add_target(run, target("postgres://app@db/app"));
            state.arm();
            assert!(!signal(&state, SIGINT));
            thread(&state, SIGINT);
            state.arm();
            assert!(signal(&state, SIGINT));
            state.end(run);
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use crate::DatabaseUrl;

    pub(super) fn begin() -> Option<(Arc<AtomicBool>, u64)> {
        None
    }

    pub(super) fn cancellable(_run: u64, _url: &DatabaseUrl, _session: i64) {}

    pub(super) fn arm() {}

    pub(super) fn end(_run: u64) {}

    pub(super) fn last_signal() -> Option<u8> {
        None
    }

    pub(super) fn cancelled() -> Option<&'static str> {
        None
    }

    pub(super) fn last_signal_name() -> Option<&'static str> {
        None
    }
}
