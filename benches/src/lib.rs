//! Criterion benchmarks for sansrtc. The benches live in `benches/`; run them with
//! `cargo bench -p sansrtc-benches`, or one group with `cargo bench -p sansrtc-benches --bench NAME`.
//! Results and the commands that reproduce them are in `docs/benchmarks.md`.
#![forbid(unsafe_code)]
