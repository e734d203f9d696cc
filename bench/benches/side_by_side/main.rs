//! rtcweb and its peers side by side (issue #18, `shared/PEERS.md`): SRTP, SIP, SDP, STUN and ICE on
//! the shared inputs (copied into `bench/data/`), each library called the way its users call it,
//! peers and ours interleaved round by round, medians with min–max. See `rtcweb_bench` for the
//! timer and `scripts/bench.sh`, which runs this once and regenerates BENCHMARKS.md.
//!
//! `cargo bench -p rtcweb-bench --bench side_by_side [-- FILTER]` (FILTER: a substring of the
//! workload ids, e.g. `srtp`, `sip_parse_invite`). Every check below runs first, whatever the
//! filter: a peer call that fails or computes something else must not look fast.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc
)]

mod ice;
mod scale;
mod sdp;
mod sip;
mod srtp;
mod stun;

use std::io::BufWriter;
use std::path::PathBuf;

use rtcweb_bench::{Harness, Settings};

fn json_path() -> PathBuf {
    std::env::var_os("RTCWEB_BENCH_JSON")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/rtcweb-bench/side_by_side.jsonl")
        })
}

fn main() {
    let settings = Settings::from_env().unwrap_or_else(|e| {
        eprintln!("rtcweb-bench: {e}");
        std::process::exit(2);
    });
    // cargo passes `--bench`; the first other argument is the filter.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));

    eprintln!("checking that every library computes the same results…");
    srtp::check();
    sip::check();
    sdp::check();
    stun::check();
    ice::check();
    scale::check();
    scale::check_turn();
    eprintln!("checks passed");

    let path = json_path();
    let json = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::File::create(&path))
        .map_err(|e| eprintln!("rtcweb-bench: {}: {e}; no JSON lines", path.display()))
        .ok()
        .map(|f| Box::new(BufWriter::new(f)) as Box<dyn std::io::Write>);
    if json.is_some() {
        eprintln!("JSON lines: {}", path.display());
    }

    let mut h = Harness::new(settings, filter, json);
    println!(
        "_{} rounds; each sample is at least {} s of measured time; the order of the libraries is \
         rotated every round._\n",
        settings.rounds, settings.seconds
    );
    let srtp = srtp::group(&h);
    h.run_group(srtp);
    let sip = sip::group(&h);
    h.run_group(sip);
    let sdp = sdp::group(&h);
    h.run_group(sdp);
    let stun = stun::group(&h);
    h.run_group(stun);
    let ice = ice::group(&h);
    h.run_group(ice);
    let scale = scale::group(&h);
    h.run_group(scale);
    h.summary();
}
