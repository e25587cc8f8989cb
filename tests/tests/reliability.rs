//! A fast sample of the reliability trials (RELIABILITY.md): a few device kills, server kills
//! and faulty-network syncs on every run; `reliability --trials 200` runs hundreds.

use quayside_e2e::reliability;
use quayside_e2e::{Agency, server_binary};

const WRITER: &str = env!("CARGO_BIN_EXE_reliability");

fn assert_nothing_lost(t: &reliability::Tally) {
    assert!(t.acknowledged > 0, "the trials acknowledged nothing: {t:?}");
    assert_eq!(t.lost, 0, "{:#?}", t.problems);
}

#[test]
fn a_device_killed_mid_write_keeps_every_acknowledged_edit() {
    let seed = rand::random::<u16>() as u64;
    let t = reliability::run(4, seed, |s| {
        reliability::device_kill_trial(std::path::Path::new(WRITER), s)
    });
    assert_nothing_lost(&t);
}

#[test]
fn a_server_killed_mid_sync_keeps_everything_it_confirmed() {
    let seed = rand::random::<u16>() as u64;
    let t = reliability::run(3, seed, |s| {
        reliability::server_kill_trial(&server_binary(), s)
    });
    assert_nothing_lost(&t);
}

#[test]
fn syncs_through_a_faulty_network_lose_nothing() {
    let agency = Agency::start_with(quayside_server::Options {
        enrol_per_minute: 1000,
        ..Default::default()
    });
    let seed = rand::random::<u16>() as u64;
    let t = reliability::run(3, seed, |s| reliability::network_fault_trial(&agency, s));
    assert_nothing_lost(&t);
    assert!(t.faults > 0, "the proxy injected no faults");
}
