//! COOKIE ECHO (RFC 9260 §5.1 D, §5.2.4): the cookie that establishes the association, or
//! repeats an earlier one, or settles a collision, or restarts the association after the
//! peer lost its state. And what both sides learn of each other in the handshake.

use std::time::Instant;

use super::cookie::Cookie;
use super::features::Features;
use super::reconfig::Reconfig;
use super::{Association, Event, Local, Peer, State, Timers};
use crate::receive::{DataTracker, Reassembly};
use crate::send::{Congestion, Outstanding, Rto, SendQueue};

impl Association {
    /// Takes the peer's handshake parameters: its tag, window, features and initial TSN.
    pub(super) fn take_peer(&mut self, tag: u32, rwnd: u32, features: Features, initial_tsn: u32) {
        // The port the peer sends from is the one it listens on (RFC 9260 §8.5.1: replies go
        // to the source port).
        self.peer_port = self.incoming_port;
        self.peer = Some(Peer {
            tag,
            rwnd: rwnd as usize,
            features,
        });
        self.tracker = Some(DataTracker::new(
            initial_tsn,
            super::receive::window(self.config.receive_window),
        ));
        self.reassembly = Reassembly::new(
            features.interleaving,
            super::receive::reassembly_limit(self.config.receive_window),
        );
        self.queue.set_interleaved(features.interleaving);
        self.reconfig = Reconfig::new(self.local.initial_tsn, initial_tsn);
    }

    /// COOKIE ECHO (§5.1 D, §5.2.4): a valid, fresh cookie establishes the association (or
    /// is a repeat, answered again; or settles a collision; or restarts a peer that lost its
    /// state, when the cookie was issued by this very association).
    pub(super) fn receive_cookie_echo(&mut self, now: Instant, bytes: &[u8]) {
        let Some(cookie) = Cookie::open(bytes, &self.cookie_key) else {
            return;
        };
        let age = now.saturating_duration_since(self.epoch).as_millis();
        if u128::from(cookie.expires_ms) < age {
            return;
        }
        if self.state == State::Ended {
            return;
        }
        let features = Features::from_bits(cookie.features);
        if cookie.local_tag != self.local.tag {
            // §5.2.4 A: a restart, when the tie-tags name the association as it is now;
            // otherwise C: an old cookie, discarded.
            let current = self.peer.is_some_and(|p| {
                cookie.local_tie_tag == self.local.tag && cookie.peer_tie_tag == p.tag
            });
            if current && cookie.peer_tag != self.peer.map_or(0, |p| p.tag) {
                self.restart(now, &cookie, features);
            }
            return;
        }
        let same_peer = self.peer.is_some_and(|p| p.tag == cookie.peer_tag);
        match self.state {
            // §5.2.4 D: the COOKIE ACK was lost.
            State::Established | State::ShutdownPending if same_peer => {
                self.pending.cookie_ack = true;
            }
            // §5.2.4 B: a collision; the peer's tag from its INIT wins.
            _ => {
                let was_established = self.state == State::Established;
                self.take_peer(
                    cookie.peer_tag,
                    cookie.peer_rwnd,
                    features,
                    cookie.peer_initial_tsn,
                );
                self.pending.cookie_ack = true;
                if !was_established {
                    self.established(now);
                }
            }
        }
    }

    /// §5.2.4 A: the peer restarted. Everything of the old association goes (what was queued,
    /// in flight, or half reassembled), our side takes the tag and initial TSN its INIT ACK
    /// announced, congestion control starts over, and the application hears
    /// [`Event::Restarted`].
    fn restart(&mut self, now: Instant, cookie: &Cookie, features: Features) {
        self.local = Local {
            tag: cookie.local_tag,
            initial_tsn: cookie.local_initial_tsn,
        };
        let first = (1u64 << 32) + u64::from(cookie.local_initial_tsn);
        self.outstanding = Outstanding::new(first);
        self.queue = SendQueue::new(features.interleaving);
        self.congestion = Congestion::new(self.config.mtu, self.config.receive_window);
        self.rto = Rto::new(self.config.rto);
        self.timers = Timers {
            compact: self.timers.compact,
            ..Timers::default()
        };
        self.pending = super::transmit::Pending::default();
        self.errors = 0;
        self.unacked_packets = 0;
        self.rtt_probe = None;
        self.take_peer(
            cookie.peer_tag,
            cookie.peer_rwnd,
            features,
            cookie.peer_initial_tsn,
        );
        self.state = State::Established;
        self.pending.cookie_ack = true;
        self.start_heartbeats(now);
        self.events.push_back(Event::Restarted);
    }
}
