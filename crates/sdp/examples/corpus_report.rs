//! Reports, for every SDP in the test corpus, whether it parses and whether writing it back
//! gives the same bytes (after CRLF normalisation), with the first differing line.
//!
//! `cargo run -p sansrtc-sdp --example corpus_report`
use sansrtc_sdp::SessionDescription;

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");
    let mut files: Vec<_> = ["vectors", "collected"]
        .iter()
        .flat_map(|d| std::fs::read_dir(format!("{root}/{d}")).unwrap())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "sdp"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match text.parse::<SessionDescription>() {
            Err(e) => println!("PARSE ERROR {name}: {e}"),
            Ok(sdp) => {
                let normalized: String = text.replace("\r\n", "\n").replace('\n', "\r\n");
                let out = sdp.to_string();
                if out == normalized {
                    println!("exact       {name}");
                } else {
                    let diff = out
                        .lines()
                        .zip(normalized.lines())
                        .find(|(a, b)| a != b)
                        .map(|(a, b)| format!("ours {a:?} / input {b:?}"))
                        .unwrap_or_else(|| format!("length {} vs {}", out.len(), normalized.len()));
                    println!("differs     {name}: {diff}");
                }
            }
        }
    }
}
