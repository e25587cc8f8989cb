//! `reliability`: runs the bounded trials behind RELIABILITY.md (a device process and the server
//! killed with SIGKILL mid-write and mid-sync, syncs through a faulty network) and prints what
//! they found. Exits non-zero if anything acknowledged was lost.
//!
//! ```sh
//! cargo run --release -p quayside-e2e --bin reliability -- --trials 200
//! reliability [--trials N] [--seed S] [--only device|server|network]
//! ```

use std::path::PathBuf;
use std::time::Instant;

use quayside_e2e::Agency;
use quayside_e2e::reliability::{self, Tally};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child-writer") {
        let seed = args[5].parse().expect("seed");
        reliability::child_writer(&PathBuf::from(&args[2]), &args[3], &args[4], seed);
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let trials: u64 = value("--trials").map_or(200, |v| v.parse().expect("--trials N"));
    let seed: u64 =
        value("--seed").map_or_else(rand::random::<u32>, |v| v.parse().expect("--seed S")) as u64;
    let only = value("--only");
    let me = std::env::current_exe().expect("own path");
    let server = me.with_file_name("quayside-server");
    assert!(
        server.exists(),
        "{} is missing: build it first (cargo build --release --bin quayside-server)",
        server.display()
    );
    quayside_core::sync::client::install_crypto_provider();
    println!("reliability: {trials} trials of each kind, seeds from {seed}");
    let mut results: Vec<(&str, Tally, f64)> = Vec::new();
    println!(
        "\n{:<60} {:>7} {:>13} {:>7} {:>6} {:>8}",
        "trial", "trials", "acknowledged", "faults", "lost", "seconds"
    );
    let report = |name: &str, t: &Tally, secs: f64| {
        println!(
            "{name:<60} {:>7} {:>13} {:>7} {:>6} {:>8.1}",
            t.trials, t.acknowledged, t.faults, t.lost, secs
        );
        for p in t.problems.iter().take(20) {
            println!("    ! {p}");
        }
    };
    let wanted = |kind: &str| only.as_deref().is_none_or(|o| o == kind);
    if wanted("device") {
        let started = Instant::now();
        let t = reliability::run(trials, seed, |s| reliability::device_kill_trial(&me, s));
        let secs = started.elapsed().as_secs_f64();
        report("device process killed (SIGKILL) mid-write", &t, secs);
        results.push(("device", t, secs));
    }
    if wanted("server") {
        let started = Instant::now();
        let t = reliability::run(trials, seed, |s| reliability::server_kill_trial(&server, s));
        let secs = started.elapsed().as_secs_f64();
        report("server killed (SIGKILL) mid-write and mid-sync", &t, secs);
        results.push(("server", t, secs));
    }
    if wanted("network") {
        let started = Instant::now();
        let agency = Agency::start_with(quayside_server::Options {
            enrol_per_minute: 1_000_000,
            ..Default::default()
        });
        let t = reliability::run(trials, seed, |s| {
            reliability::network_fault_trial(&agency, s)
        });
        let secs = started.elapsed().as_secs_f64();
        report(
            "sync through cut, reset, truncated, delayed connections",
            &t,
            secs,
        );
        results.push(("network", t, secs));
    }
    let lost: u64 = results.iter().map(|(_, t, _)| t.lost).sum();
    if lost == 0 {
        println!("\nNothing acknowledged was lost.");
        std::process::ExitCode::SUCCESS
    } else {
        println!("\n{lost} acknowledged write(s) lost.");
        std::process::ExitCode::FAILURE
    }
}
