//! Fuzzes the DTLS client's `handle_receive` (and timers) against a real peer whose flights
//! the fuzzer drops, mutates, truncates or replaces; see `dtls_common` for the input layout.
#![no_main]
#![forbid(unsafe_code)]

#[path = "dtls_common/mod.rs"]
mod dtls_common;

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::endpoint::Role;

fuzz_target!(|data: &[u8]| dtls_common::run(Role::Client, data));
