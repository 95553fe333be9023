//! The backends bench's table: figure, backend, matchgate, floor, ratio, a row at a time as
//! each figure is measured; and the timing both sides of a row share.

use std::time::Instant;

pub fn header() {
    println!(
        "{:<50} {:<10} {:>11} {:>11} {:>8}",
        "figure", "backend", "matchgate", "floor", "ratio"
    );
}

/// One row: matchgate's seconds beside its floor's, measured in the same run.
pub fn row(figure: &str, backend: &str, matchgate: f64, floor: f64) {
    println!(
        "{figure:<50} {backend:<10} {:>11} {:>11} {:>7.2}x",
        show(matchgate),
        show(floor),
        matchgate / floor
    );
}

/// A line of explanation under the rows it belongs to.
pub fn note(text: &str) {
    println!("  {text}");
}

pub fn show(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

pub fn seconds(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64()
}

pub fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// Medians of `reps` runs of matchgate's work and of its floor, in turn (so a noisy moment on
/// this shared machine falls on both).
pub fn paired(reps: usize, mut matchgate: impl FnMut(), mut floor: impl FnMut()) -> (f64, f64) {
    let mut runs = (Vec::new(), Vec::new());
    for _ in 0..reps {
        runs.0.push(seconds(&mut matchgate));
        runs.1.push(seconds(&mut floor));
    }
    (median(runs.0), median(runs.1))
}
