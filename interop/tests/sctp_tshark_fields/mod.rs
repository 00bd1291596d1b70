//! What `sctp_tshark.rs` compares: the tshark fields of each frame, the values our own parser
//! reads from the same bytes, and one tshark run dissecting them all.

use sansrtc_interop::require_peer;
use sansrtc_sctp::wire::{ChunkRepr, Packet, ReconfigParam, chunk_type};
use std::process::Command;

use super::Frame;

/// The tshark fields compared, frame by frame, with what our parser reads. tshark shows TSNs
/// relative to the sender's initial TSN in `sctp.data_tsn`, `sctp.sack_cumulative_tsn_ack` and
/// the gap block TSNs (its default), and absolute in the `_raw` fields, FORWARD TSN,
/// I-FORWARD-TSN, RE-CONFIG, SHUTDOWN and the duplicates. I-DATA uses the DATA fields, plus
/// MID, and the FSN in place of the PPID after the first fragment.
pub(crate) const FIELDS: &[&str] = &[
    "sctp.srcport",
    "sctp.dstport",
    "sctp.verification_tag",
    "sctp.chunk_type",
    "sctp.chunk_flags",
    "sctp.init_initiate_tag",
    "sctp.init_initial_tsn",
    "sctp.init_credit",
    "sctp.init_nr_out_streams",
    "sctp.init_nr_in_streams",
    "sctp.initack_initiate_tag",
    "sctp.initack_initial_tsn",
    "sctp.initack_credit",
    "sctp.initack_nr_out_streams",
    "sctp.initack_nr_in_streams",
    "sctp.data_tsn",
    "sctp.data_tsn_raw",
    "sctp.data_sid",
    "sctp.data_ssn",
    "sctp.data_mid",
    "sctp.data_fsn",
    "sctp.data_payload_proto_id",
    "sctp.data_u_bit",
    "sctp.data_b_bit",
    "sctp.data_e_bit",
    "sctp.sack_cumulative_tsn_ack",
    "sctp.sack_cumulative_tsn_ack_raw",
    "sctp.sack_a_rwnd",
    "sctp.sack_gap_block_start",
    "sctp.sack_gap_block_end",
    "sctp.sack_gap_block_start_tsn",
    "sctp.sack_gap_block_end_tsn",
    "sctp.sack_duplicate_tsn",
    "sctp.forward_tsn_tsn",
    "sctp.forward_tsn_sid",
    "sctp.forward_tsn_ssn",
    "sctp.i_forward_tsn_tsn",
    "sctp.i_forward_tsn_sid",
    "sctp.i_forward_tsn_u_bit",
    "sctp.forward_tsn_mid",
    "sctp.parameter_reconfig_request_sequence_number",
    "sctp.parameter_reconfig_response_sequence_number",
    "sctp.parameter_senders_last_assigned_tsn",
    "sctp.parameter_reconfig_sid",
    "sctp.parameter_reconfig_response_result",
    "sctp.parameter_senders_next_tsn",
    "sctp.parameter_receivers_next_tsn",
    "sctp.shutdown_cumulative_tsn_ack",
    "sctp.shutdown_complete_t_bit",
    "sctp.parameter_heartbeat_information",
];

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn flag(b: bool) -> String {
    u8::from(b).to_string()
}

/// The initial TSNs of the exchange, from the INIT (client) and INIT ACK (server) chunks.
#[derive(Default)]
pub(crate) struct InitialTsns {
    client: u32,
    server: u32,
}

impl InitialTsns {
    pub(crate) fn of(frames: &[Frame]) -> Self {
        let mut tsns = Self::default();
        for f in frames {
            let packet = Packet::new_checked(&f.bytes[..]).unwrap();
            for chunk in packet.chunks() {
                match ChunkRepr::parse(&chunk.unwrap()).unwrap() {
                    ChunkRepr::Init(init) => tsns.client = init.initial_tsn,
                    ChunkRepr::InitAck(init) => tsns.server = init.initial_tsn,
                    _ => {}
                }
            }
        }
        tsns
    }

    /// The initial TSN of the side that sent a packet, and of its peer.
    fn sender_and_peer(&self, from_client: bool) -> (u32, u32) {
        if from_client {
            (self.client, self.server)
        } else {
            (self.server, self.client)
        }
    }
}

/// Our parser's values of [`FIELDS`] for one frame, each field's occurrences comma-joined.
pub(crate) fn expected(frame: &Frame, initial: &InitialTsns) -> Vec<String> {
    let (ours, theirs) = initial.sender_and_peer(frame.from_client);
    let packet = Packet::new_checked(&frame.bytes[..]).unwrap();
    let mut v: Vec<Vec<String>> = vec![Vec::new(); FIELDS.len()];
    let mut put = |field: &str, value: String| {
        let i = FIELDS.iter().position(|f| *f == field).unwrap();
        v[i].push(value);
    };
    put("sctp.srcport", packet.source_port().to_string());
    put("sctp.dstport", packet.destination_port().to_string());
    put(
        "sctp.verification_tag",
        format!("0x{:08x}", packet.verification_tag()),
    );
    for chunk in packet.chunks() {
        let chunk = chunk.unwrap();
        put("sctp.chunk_type", chunk.chunk_type().to_string());
        put("sctp.chunk_flags", format!("0x{:02x}", chunk.flags()));
        match ChunkRepr::parse(&chunk).unwrap() {
            ChunkRepr::Init(init) | ChunkRepr::InitAck(init) => {
                let kind = if chunk.chunk_type() == chunk_type::INIT {
                    "init"
                } else {
                    "initack"
                };
                put(
                    &format!("sctp.{kind}_initiate_tag"),
                    format!("0x{:08x}", init.initiate_tag),
                );
                put(
                    &format!("sctp.{kind}_initial_tsn"),
                    init.initial_tsn.to_string(),
                );
                put(&format!("sctp.{kind}_credit"), init.a_rwnd.to_string());
                put(
                    &format!("sctp.{kind}_nr_out_streams"),
                    init.outbound_streams.to_string(),
                );
                put(
                    &format!("sctp.{kind}_nr_in_streams"),
                    init.inbound_streams.to_string(),
                );
            }
            ChunkRepr::Data(d) => {
                put("sctp.data_tsn", d.tsn.wrapping_sub(ours).to_string());
                put("sctp.data_tsn_raw", d.tsn.to_string());
                put("sctp.data_sid", format!("0x{:04x}", d.stream_id));
                put("sctp.data_ssn", d.ssn.to_string());
                put("sctp.data_payload_proto_id", d.ppid.to_string());
                put("sctp.data_u_bit", flag(d.unordered));
                put("sctp.data_b_bit", flag(d.beginning));
                put("sctp.data_e_bit", flag(d.ending));
            }
            ChunkRepr::IData(d) => {
                put("sctp.data_tsn", d.tsn.wrapping_sub(ours).to_string());
                put("sctp.data_tsn_raw", d.tsn.to_string());
                put("sctp.data_sid", format!("0x{:04x}", d.stream_id));
                put("sctp.data_mid", d.mid.to_string());
                match d.ppid() {
                    Some(ppid) => put("sctp.data_payload_proto_id", ppid.to_string()),
                    None => put("sctp.data_fsn", d.fsn().to_string()),
                }
                put("sctp.data_u_bit", flag(d.unordered));
                put("sctp.data_b_bit", flag(d.beginning));
                put("sctp.data_e_bit", flag(d.ending));
            }
            ChunkRepr::Sack(s) => {
                let cumulative = s.cumulative_tsn_ack.wrapping_sub(theirs);
                put("sctp.sack_cumulative_tsn_ack", cumulative.to_string());
                put(
                    "sctp.sack_cumulative_tsn_ack_raw",
                    s.cumulative_tsn_ack.to_string(),
                );
                put("sctp.sack_a_rwnd", s.a_rwnd.to_string());
                for block in &s.gap_blocks {
                    put("sctp.sack_gap_block_start", block.start.to_string());
                    put("sctp.sack_gap_block_end", block.end.to_string());
                    let at = |offset: u16| cumulative.wrapping_add(u32::from(offset)).to_string();
                    put("sctp.sack_gap_block_start_tsn", at(block.start));
                    put("sctp.sack_gap_block_end_tsn", at(block.end));
                }
                for tsn in &s.duplicate_tsns {
                    put("sctp.sack_duplicate_tsn", tsn.to_string());
                }
            }
            ChunkRepr::ForwardTsn(f) => {
                put("sctp.forward_tsn_tsn", f.new_cumulative_tsn.to_string());
                for s in &f.streams {
                    put("sctp.forward_tsn_sid", s.stream_id.to_string());
                    put("sctp.forward_tsn_ssn", s.ssn.to_string());
                }
            }
            ChunkRepr::IForwardTsn(f) => {
                put("sctp.i_forward_tsn_tsn", f.new_cumulative_tsn.to_string());
                for s in &f.streams {
                    put("sctp.i_forward_tsn_sid", s.stream_id.to_string());
                    put("sctp.i_forward_tsn_u_bit", flag(s.unordered));
                    put("sctp.forward_tsn_mid", s.mid.to_string());
                }
            }
            ChunkRepr::Reconfig(r) => {
                for param in &r.params {
                    match param {
                        ReconfigParam::OutgoingSsnResetRequest {
                            request_seq,
                            response_seq,
                            senders_last_tsn,
                            stream_ids,
                        } => {
                            put(
                                "sctp.parameter_reconfig_request_sequence_number",
                                request_seq.to_string(),
                            );
                            put(
                                "sctp.parameter_reconfig_response_sequence_number",
                                response_seq.to_string(),
                            );
                            put(
                                "sctp.parameter_senders_last_assigned_tsn",
                                senders_last_tsn.to_string(),
                            );
                            for sid in &stream_ids {
                                put("sctp.parameter_reconfig_sid", sid.to_string());
                            }
                        }
                        ReconfigParam::Response {
                            response_seq,
                            result,
                            next_tsns,
                        } => {
                            put(
                                "sctp.parameter_reconfig_response_sequence_number",
                                response_seq.to_string(),
                            );
                            put(
                                "sctp.parameter_reconfig_response_result",
                                u32::from(result).to_string(),
                            );
                            if let Some(next) = next_tsns {
                                put(
                                    "sctp.parameter_senders_next_tsn",
                                    next.sender_next_tsn.to_string(),
                                );
                                put(
                                    "sctp.parameter_receivers_next_tsn",
                                    next.receiver_next_tsn.to_string(),
                                );
                            }
                        }
                        // This exchange sends no other request.
                        _ => {}
                    }
                }
            }
            ChunkRepr::Shutdown(s) => {
                put(
                    "sctp.shutdown_cumulative_tsn_ack",
                    s.cumulative_tsn_ack.to_string(),
                );
            }
            ChunkRepr::ShutdownComplete(s) => {
                put("sctp.shutdown_complete_t_bit", flag(s.tag_reflected));
            }
            ChunkRepr::Heartbeat(h) | ChunkRepr::HeartbeatAck(h) => {
                put("sctp.parameter_heartbeat_information", hex(h.info));
            }
            _ => {}
        }
    }
    v.into_iter().map(|values| values.join(",")).collect()
}

pub(crate) fn tshark(path: &std::path::Path, extra: &[&str]) -> String {
    let tshark = require_peer("tshark").expect("checked by the caller");
    let out = Command::new(tshark)
        .args(["-n", "-r"])
        .arg(path)
        .args(["-d", "udp.port==5000,sctp", "-o", "sctp.checksum:CRC-32C"])
        .args(extra)
        .output()
        .expect("tshark runs");
    assert!(
        out.status.success(),
        "tshark failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Fields read besides [`FIELDS`].
pub(crate) const MORE_FIELDS: &[&str] = &[
    "frame.number",
    "frame.protocols",
    "_ws.malformed",
    "_ws.expert.message",
    "sctp.checksum.status",
    "data.len",
    "sctp.fragment",
];

/// Every frame's values of [`FIELDS`] and [`MORE_FIELDS`], each field's occurrences
/// comma-joined, from one tshark run.
pub(crate) struct Dissection {
    names: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Dissection {
    pub(crate) fn of(path: &std::path::Path) -> Self {
        let names: Vec<&'static str> = FIELDS.iter().chain(MORE_FIELDS).copied().collect();
        let mut args = vec![
            "-T",
            "fields",
            "-E",
            "occurrence=a",
            "-E",
            "aggregator=,",
            "-E",
            "separator=|",
        ];
        for f in &names {
            args.push("-e");
            args.push(f);
        }
        let rows = tshark(path, &args)
            .lines()
            .map(|l| l.split('|').map(str::to_owned).collect())
            .collect();
        Self { names, rows }
    }

    /// One row per frame with the columns `fields`.
    pub(crate) fn table(&self, fields: &[&str]) -> Vec<Vec<String>> {
        let columns: Vec<usize> = fields
            .iter()
            .map(|f| {
                self.names
                    .iter()
                    .position(|n| n == f)
                    .unwrap_or_else(|| panic!("{f} is not dissected"))
            })
            .collect();
        self.rows
            .iter()
            .map(|row| columns.iter().map(|&c| row[c].clone()).collect())
            .collect()
    }
}
