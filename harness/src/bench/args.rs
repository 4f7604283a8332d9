//! The flags of `schism bench`: every flag of `schism run` (applied to every run), and the
//! bench's own.

use crate::run_cmd::RunArgs;
use clap::Args;
use std::path::PathBuf;

/// `schism bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The concurrency levels to measure, comma separated (default: the one of the spec or
    /// of --concurrency).
    #[arg(long, value_delimiter = ',', value_name = "N,N,...")]
    pub concurrency_levels: Vec<usize>,
    /// Runs at each level, with seeds SEED, SEED+1, ... (SEED from --seed, else drawn).
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub seeds: usize,
    /// Where bench.json, bench.html and the harness log (schism.log) go (default
    /// STORE/benches/<UTC time>/, with STORE/benches/latest pointing at it).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// An earlier bench.json to compare with, point by point (the same concurrency): exit 1
    /// when throughput falls or p99 latency rises by more than --tolerance.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// The change the baseline comparison allows, as a fraction (0.1: 10 %).
    #[arg(
        long,
        value_name = "FRACTION",
        default_value_t = 0.1,
        allow_negative_numbers = true
    )]
    pub tolerance: f64,
    /// p99 latencies under this many ms are compared as this many ms, so sub-millisecond
    /// jitter does not fail the comparison (0: compare them as measured).
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    pub latency_floor_ms: f64,
    #[command(flatten)]
    pub run: RunArgs,
}
