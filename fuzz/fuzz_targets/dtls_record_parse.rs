//! Fuzzes the DTLS record layer: datagram framing (`Record::iter`), record headers, alerts,
//! and `RecordLayer::open` with AES-GCM and ChaCha20-Poly1305 keys on arbitrary records.
//! Oracles: no panic; every framed record re-emits its header byte for byte; nothing opens
//! without the right key (a forged record never authenticates).
#![no_main]
#![forbid(unsafe_code)]

use libfuzzer_sys::fuzz_target;
use sansrtc_dtls::record::{AeadAlgorithm, RecordKey, RecordLayer};
use sansrtc_dtls::wire::{Alert, RECORD_HEADER_LEN, Record, RecordHeader};

fuzz_target!(|data: &[u8]| {
    let framing: Vec<_> = Record::iter(data)
        .filter_map(Result::ok)
        .map(|r| (r.header, r.offset))
        .collect();
    for (header, offset) in &framing {
        let mut out = [0u8; RECORD_HEADER_LEN];
        header.emit(&mut out).expect("13 bytes");
        assert_eq!(&out[..], &data[*offset..*offset + RECORD_HEADER_LEN]);
        assert_eq!(RecordHeader::parse(&out).expect("parses"), *header);
    }
    for algorithm in [AeadAlgorithm::Aes128Gcm, AeadAlgorithm::ChaCha20Poly1305] {
        let key = RecordKey::new(
            algorithm,
            &vec![7; algorithm.key_len()],
            &vec![9; algorithm.fixed_iv_len()],
        )
        .expect("key");
        let mut layer = RecordLayer::default();
        layer.advance_read(key);
        let mut datagram = data.to_vec();
        for (header, offset) in &framing {
            let start = offset + RECORD_HEADER_LEN;
            let end = start + usize::from(header.length);
            let Some(fragment) = datagram.get_mut(start..end) else {
                continue;
            };
            if let Ok(plain) = layer.open(header, fragment) {
                // Only epoch-0 records (no protection) may open: a forged AEAD record cannot.
                assert_eq!(header.epoch, 0, "a forged record authenticated");
                let _ = Alert::parse(&fragment[plain]);
            }
        }
    }
});
