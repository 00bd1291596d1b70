//! Going idle and coming back: a completed, quiet agent becomes a [`Compact`] one (RFC 8445
//! §8.3: the check list and the other candidates may be freed), and a compact one is resumed
//! into a full agent whose check list holds the selected pair alone, valid and nominated.

use std::net::SocketAddr;
use std::time::Instant;

use super::checklist::{Added, NewPair, PairState};
use super::compact::Compact;
use super::gather::Gathering;
use super::{Full, SelectedPath};
use crate::candidate::{CandidateKind, LocalAddress};
use crate::event::ConnectionState;

impl Full {
    /// When this agent may be compacted, if it is completed and nothing is in flight.
    pub(crate) fn compact_deadline(&self) -> Option<Instant> {
        let after = self.config.compact_after?;
        let quiet = self.state == ConnectionState::Completed
            && self.relays.is_empty()
            && self.pending_mdns.is_empty()
            && self.outgoing.is_empty()
            && self.events.is_empty()
            && self.checks.in_flight().is_empty()
            && self.gathering.earliest_deadline().is_none()
            && self.selected.is_some()
            && self.remote_key.is_some()
            && self.before_restart.is_none();
        quiet.then_some(self.completed_at? + after)
    }

    /// The compact form of this agent (call when [`Full::compact_deadline`] has passed).
    pub(super) fn into_compact(self) -> Option<Compact> {
        let selected = self.selected?;
        let (remote_credentials, remote_key) = (self.remote_credentials?, self.remote_key?);
        let hosts: Vec<SocketAddr> = self
            .locals
            .iter()
            .filter(|c| c.kind == CandidateKind::Host)
            .map(|c| c.address)
            .collect::<Vec<_>>();
        let mut hosts = hosts;
        hosts.shrink_to_fit();
        let (granted, next_check) = self.consent.timers();
        // The queue grew with the connection's events (a selected-pair event is large): an
        // idle agent keeps no spare room.
        let mut events = self.events;
        if events.is_empty() {
            events = std::collections::VecDeque::new();
        } else {
            events.shrink_to_fit();
        }
        Some(Compact::new(
            Box::new(self.config),
            self.role,
            self.state,
            self.tie_breaker,
            (self.local_credentials, remote_credentials),
            (self.local_key, remote_key),
            selected,
            hosts,
            (granted.unwrap_or(self.last_now), next_check),
            events,
            self.last_now,
            self.stats,
        ))
    }

    /// A full agent again, from a compact one: its check list holds the selected pair,
    /// succeeded and nominated, its host addresses are known again (for a restart), and its
    /// state and consent timers carry on.
    pub(super) fn resume(compact: Compact, now: Instant) -> Self {
        let mut c = compact;
        let (a, b) = (c.random(), c.random());
        let mut seed = [0u8; 32];
        seed[..20].copy_from_slice(&a);
        seed[20..].copy_from_slice(&b[..12]);
        let mut config = *c.config;
        config.rng_seed = Some(seed);
        config.credentials = Some(c.local_credentials.clone());
        let mut full = Self::new(config, c.last_now.max(now));
        full.role = c.role;
        full.tie_breaker = c.tie_breaker;
        full.local_key = c.local_key;
        full.remote_credentials = Some(c.remote_credentials);
        full.remote_key = Some(c.remote_key);
        let addresses: Vec<LocalAddress> = c
            .hosts
            .iter()
            .map(|&address| LocalAddress {
                address,
                interface_rank: 0,
            })
            .collect();
        // Host candidates come back without being signaled again or paired.
        full.gathering = Gathering::completed();
        full.add_quiet_hosts(&addresses);
        let SelectedPath { local, remote } = c.selected;
        let local_index = match full.locals.iter().position(|l| *l == local) {
            Some(i) => i,
            None => {
                full.locals.push(local);
                full.locals.len() - 1
            }
        };
        full.push_remote(remote);
        let new = NewPair {
            local: local_index,
            remote: 0,
            base: local.base,
            remote_address: remote.address,
            foundation: (local.foundation, remote.foundation),
            local_priority: local.priority,
            remote_priority: remote.priority,
        };
        if let Added::New(id) = full.checks.add(full.role, new, full.config.max_pairs) {
            full.checks.set_state(id, PairState::Succeeded);
            if let Some(p) = full.checks.get_mut(id) {
                p.nominated = true;
            }
            full.selected_pair = Some(id);
        }
        full.selected = Some(c.selected);
        full.state = c.state;
        full.completed_at = (c.state == ConnectionState::Completed).then_some(full.last_now);
        full.remote_complete = true;
        full.consent.resume(c.granted, c.next_check);
        full.events = c.events;
        full.stats = c.stats;
        full
    }
}
