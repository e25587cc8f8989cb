//! What every server benchmark shares: the median of a few runs and the Markdown row that
//! compares a measurement with its baseline.

use std::time::{Duration, Instant};

/// The median duration of `runs` calls of `f`.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// Prints one table row: what was measured, our time, the baseline's and the ratio.
pub fn row(name: &str, ours: Duration, base: Duration, base_name: &str) {
    let fmt = |d: Duration| {
        if d.as_secs_f64() < 0.01 {
            format!("{:.1} µs", d.as_secs_f64() * 1e6)
        } else {
            format!("{:.1} ms", d.as_secs_f64() * 1e3)
        }
    };
    println!(
        "| {name} | {} | {} ({base_name}) | {:.2}x |",
        fmt(ours),
        fmt(base),
        ours.as_secs_f64() / base.as_secs_f64()
    );
}
