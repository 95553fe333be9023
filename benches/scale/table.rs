//! The benchmark's table: figure, matchgate, floor, ratio, peak memory, printed a row at a time
//! as each figure is measured.

/// A measured quantity, printed in its unit.
#[derive(Debug, Clone, Copy)]
pub enum Amount {
    Seconds(f64),
    Kib(u64),
}

impl Amount {
    fn value(self) -> f64 {
        match self {
            Amount::Seconds(s) => s,
            Amount::Kib(k) => k as f64,
        }
    }

    fn show(self) -> String {
        match self {
            Amount::Seconds(s) if s >= 1.0 => format!("{s:.2} s"),
            Amount::Seconds(s) if s >= 1e-3 => format!("{:.2} ms", s * 1e3),
            Amount::Seconds(s) => format!("{:.1} µs", s * 1e6),
            Amount::Kib(k) => format!("{:.1} MiB", k as f64 / 1024.0),
        }
    }
}

pub fn header() {
    println!(
        "{:<52} {:>11} {:>11} {:>8} {:>12}",
        "figure", "matchgate", "floor", "ratio", "peak memory"
    );
}

/// One row: matchgate's figure, its floor, their ratio, and matchgate's peak memory if known.
pub fn row(figure: &str, matchgate: Amount, floor: Amount, memory: Option<u64>) {
    let memory = memory.map_or("-".to_string(), |kib| Amount::Kib(kib).show());
    println!(
        "{figure:<52} {:>11} {:>11} {:>7.2}x {memory:>12}",
        matchgate.show(),
        floor.show(),
        matchgate.value() / floor.value()
    );
}

/// A line of explanation under the rows it belongs to.
pub fn note(text: &str) {
    println!("  {text}");
}
