//! The screen's loop: one queue of messages (terminal events, the worker's results, its idle
//! reports), `update` for each, a redraw after. The worker thread owns the store; a reader thread
//! owns the terminal's input; this thread only updates state and draws.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use ratatui::{Frame, Terminal, backend::Backend};

use super::action::Action;
use super::effect::Effect;
use super::keymap::Keymap;
use super::runtime::{Runtime, WATCH_EVERY};
use super::state::ReviewState;
use super::update::{start, update};
use super::view;

/// A screen the loop runs: its state, how input becomes actions, and its pure `update`.
pub trait Screen {
    type Action: Send + 'static;
    type Effect: Send;
    /// The effects that open the screen (after a first resize to the terminal's size).
    fn start(&mut self, width: u16, height: u16) -> Vec<Self::Effect>;
    fn update(&mut self, action: Self::Action) -> Vec<Self::Effect>;
    fn render(&self, frame: &mut Frame<'_>);
    /// The action a terminal event stands for, if any.
    fn input(&self, event: Event) -> Option<Self::Action>;
    /// The action of SIGTERM, SIGHUP or the end of a script: end as a quit does.
    fn terminate(&self) -> Self::Action;
    /// The effect that releases the session's claims and stops the worker.
    fn quit() -> Self::Effect;
    fn is_quit(effect: &Self::Effect) -> bool;
}

/// The store's side of a screen, on the worker thread.
pub trait Worker: Send {
    type Action: Send;
    type Effect: Send;
    fn perform(&mut self, effect: Self::Effect) -> Vec<Self::Action>;
    /// Idle work (renewing claims, noticing other sessions' commits).
    fn tick(&mut self) -> Option<Vec<Self::Action>>;
    /// Release the session's claims.
    fn finish(&mut self);
}

/// The review screen as the loop sees it.
struct ReviewScreen<'s> {
    state: &'s mut ReviewState,
    keymap: &'s Keymap,
}

impl Screen for ReviewScreen<'_> {
    type Action = Action;
    type Effect = Effect;

    fn start(&mut self, width: u16, height: u16) -> Vec<Effect> {
        let mut first = update(self.state, Action::Resize { width, height });
        first.extend(start());
        first
    }

    fn update(&mut self, action: Action) -> Vec<Effect> {
        update(self.state, action)
    }

    fn render(&self, frame: &mut Frame<'_>) {
        view::render(frame, self.state, self.keymap);
    }

    fn input(&self, event: Event) -> Option<Action> {
        input_action(self.state, self.keymap, event)
    }

    fn terminate(&self) -> Action {
        Action::Terminate
    }

    fn quit() -> Effect {
        Effect::Quit
    }

    fn is_quit(effect: &Effect) -> bool {
        matches!(effect, Effect::Quit)
    }
}

impl Worker for Runtime<'_> {
    type Action = Action;
    type Effect = Effect;

    fn perform(&mut self, effect: Effect) -> Vec<Action> {
        Runtime::perform(self, effect)
    }

    fn tick(&mut self) -> Option<Vec<Action>> {
        Runtime::tick(self)
    }

    fn finish(&mut self) {
        Runtime::finish(self)
    }
}

/// Where key presses come from.
pub enum Events<'e> {
    /// The real terminal, read on a thread of its own; SIGTERM and SIGHUP end the session
    /// through the normal quit (claims released, terminal restored).
    Terminal,
    /// Scripted events (tests). Each is fed once everything the previous one started has come
    /// back, so a script reads like a person waiting for the screen; `None` ends the session.
    Scripted(&'e mut dyn FnMut() -> Option<Event>),
}

enum Msg<A> {
    Input(Event),
    /// The results of one effect.
    Done(Vec<A>),
    /// Something the worker noticed by itself (another session's commit).
    Noticed(Vec<A>),
    /// The worker released the session's claims and stopped.
    Stopped,
    /// SIGTERM or SIGHUP.
    Terminate,
}

/// Runs the review screen until the reviewer quits (or the script ends).
pub fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    state: &mut ReviewState,
    keymap: &Keymap,
    runtime: Runtime<'_>,
    events: Events<'_>,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    run_screen(
        terminal,
        &mut ReviewScreen { state, keymap },
        runtime,
        events,
    )
}

/// Runs any screen with its worker until it quits (or the script ends).
pub fn run_screen<B, S, W>(
    terminal: &mut Terminal<B>,
    screen: &mut S,
    runtime: W,
    events: Events<'_>,
) -> anyhow::Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    S: Screen,
    W: Worker<Action = S::Action, Effect = S::Effect>,
{
    let (to_loop, inbox) = mpsc::channel::<Msg<S::Action>>();
    let (to_worker, jobs) = mpsc::channel::<S::Effect>();
    let stop_reading = Arc::new(AtomicBool::new(false));
    let signalled = Arc::new(AtomicBool::new(false));
    if matches!(events, Events::Terminal) {
        for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
            // Without the handler the default action kills the process: the claims then expire.
            let _ = signal_hook::flag::register(signal, Arc::clone(&signalled));
        }
        let out = to_loop.clone();
        let stop = Arc::clone(&stop_reading);
        // Not scoped: a read of a hung-up terminal can block inside crossterm, and the session
        // must still end (the worker watches the signals).
        std::thread::spawn(move || read_terminal(out, stop));
    }
    std::thread::scope(|scope| {
        let worker_out = to_loop.clone();
        let signalled = Arc::clone(&signalled);
        scope.spawn(move || work::<W, S>(runtime, jobs, worker_out, &signalled));
        drop(to_loop);
        // Set however `drive` ends, a panic included, so the scope can join the reader.
        let _stop = StopOnDrop(&stop_reading);
        let result = drive(terminal, screen, &to_worker, &inbox, events);
        // The worker releases the claims on Quit; if the loop ended on an error, ask it now.
        let _ = to_worker.send(S::quit());
        drop(to_worker);
        result
    })
}

struct StopOnDrop<'f>(&'f AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn drive<B: Backend, S: Screen>(
    terminal: &mut Terminal<B>,
    screen: &mut S,
    to_worker: &Sender<S::Effect>,
    inbox: &Receiver<Msg<S::Action>>,
    mut events: Events<'_>,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    // Effects sent and not yet answered: a script waits for none.
    let mut outstanding = 0usize;
    let send = |effects: Vec<S::Effect>, outstanding: &mut usize| -> anyhow::Result<()> {
        for effect in effects {
            *outstanding += 1;
            to_worker
                .send(effect)
                .map_err(|_| anyhow::anyhow!("the store worker stopped unexpectedly"))?;
        }
        Ok(())
    };
    let size = terminal.size()?;
    let first = screen.start(size.width, size.height);
    send(first, &mut outstanding)?;
    loop {
        terminal.draw(|frame| screen.render(frame))?;
        let msg = match &mut events {
            Events::Scripted(next) if outstanding == 0 => match next() {
                Some(event) => Msg::Input(event),
                None => Msg::Terminate,
            },
            _ => inbox
                .recv()
                .map_err(|_| anyhow::anyhow!("the store worker stopped unexpectedly"))?,
        };
        let actions = match msg {
            Msg::Input(event) => {
                // Lets the end-to-end tests prove the terminal is restored on a panic.
                if cfg!(debug_assertions)
                    && matches!(events, Events::Terminal)
                    && std::env::var_os("MATCHGATE_TEST_PANIC_ON_KEY").is_some()
                {
                    panic!("test panic requested by MATCHGATE_TEST_PANIC_ON_KEY");
                }
                screen.input(event).into_iter().collect()
            }
            Msg::Done(actions) => {
                outstanding = outstanding.saturating_sub(1);
                actions
            }
            Msg::Noticed(actions) => actions,
            Msg::Stopped => return Ok(()),
            Msg::Terminate => vec![screen.terminate()],
        };
        for action in actions {
            let effects = screen.update(action);
            send(effects, &mut outstanding)?;
        }
    }
}

fn input_action(state: &ReviewState, keymap: &Keymap, event: Event) -> Option<Action> {
    match event {
        // Only presses: some terminals also report releases, which would act twice.
        Event::Key(key) if key.kind == KeyEventKind::Press => keymap.action(&state.mode, &key),
        Event::Resize(width, height) => Some(Action::Resize { width, height }),
        _ => None,
    }
}

/// The worker: performs effects in order; when idle, renews the claim, watches for other
/// sessions' commits and for SIGTERM/SIGHUP.
fn work<W: Worker, S: Screen<Effect = W::Effect>>(
    mut runtime: W,
    jobs: Receiver<W::Effect>,
    out: Sender<Msg<W::Action>>,
    signalled: &AtomicBool,
) {
    loop {
        match jobs.recv_timeout(WATCH_EVERY) {
            Ok(effect) if S::is_quit(&effect) => {
                runtime.finish();
                let _ = out.send(Msg::Stopped);
                return;
            }
            Ok(effect) => {
                if out.send(Msg::Done(runtime.perform(effect))).is_err() {
                    runtime.finish();
                    return;
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if signalled.swap(false, Ordering::Relaxed) {
                    let _ = out.send(Msg::Terminate);
                }
                if let Some(actions) = runtime.tick() {
                    let _ = out.send(Msg::Noticed(actions));
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                runtime.finish();
                return;
            }
        }
    }
}

/// Reads the terminal until told to stop (it polls so that it notices). crossterm is asked only
/// when input waits on a live terminal: on a hung-up one its reader spins forever.
fn read_terminal<A>(out: Sender<Msg<A>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        if super::signals::terminal_hung_up() {
            let _ = out.send(Msg::Terminate);
            return;
        }
        match crossterm::event::poll(Duration::ZERO) {
            Ok(true) => match crossterm::event::read() {
                Ok(event) => {
                    if out.send(Msg::Input(event)).is_err() {
                        return;
                    }
                }
                Err(_) => {
                    let _ = out.send(Msg::Terminate);
                    return;
                }
            },
            Ok(false) => super::signals::wait_for_input(Duration::from_millis(100)),
            Err(_) => {
                // The terminal is gone (e.g. the SSH session dropped): end like a quit.
                let _ = out.send(Msg::Terminate);
                return;
            }
        }
    }
}
