//! Nomination (RFC 8445 §8.1), the selected pair, and consent freshness (RFC 7675).
//!
//! The controlling agent uses regular nomination: once a pair has succeeded it waits until
//! no pair of higher priority can still succeed, or [`Config::nomination_delay`] after the
//! first success, then checks the best valid pair again with USE-CANDIDATE. If a better pair
//! succeeds later it nominates that one too (re-selection). The controlled agent selects the
//! nominated pair of highest priority, which also covers aggressive nomination by legacy
//! peers (every check nominating). Consent: a check on the selected pair every 4 to 6 s;
//! disconnected after [`Config::disconnected_after`] without an answer, failed after
//! [`Config::consent_timeout`] (30 s).
//!
//! [`Config::nomination_delay`]: crate::Config::nomination_delay
//! [`Config::disconnected_after`]: crate::Config::disconnected_after
//! [`Config::consent_timeout`]: crate::Config::consent_timeout

use std::time::Instant;

use super::checklist::{PairId, PairState};
use super::{Full, SelectedPath, jittered};
use crate::event::{ConnectionState, Event, Role};

/// Consent freshness timers of the selected pair.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Consent {
    /// When consent was last confirmed (an authenticated response on the selected pair).
    granted: Option<Instant>,
    /// When the next consent check goes.
    next_check: Option<Instant>,
    /// The pair being nominated by us (controlling).
    nominating: Option<PairId>,
    /// When nomination should be looked at again.
    nomination_wakeup: Option<Instant>,
    /// The NOMINATION value of our latest nomination (renomination).
    pub(super) nominations: u32,
}

impl Consent {
    /// When consent was last granted, and when the next consent check goes.
    pub(super) fn timers(&self) -> (Option<Instant>, Option<Instant>) {
        (self.granted, self.next_check)
    }

    /// Carries consent timers over from a compact agent.
    pub(super) fn resume(&mut self, granted: Instant, next_check: Option<Instant>) {
        self.granted = Some(granted);
        self.next_check = next_check;
    }
}

impl Full {
    /// Selects the pair `id` (nominated).
    pub(super) fn select(&mut self, now: Instant, id: PairId) {
        let Some(pair) = self.checks.get(id) else {
            return;
        };
        let (Some(local), Some(remote)) = (
            self.locals.get(pair.local).copied(),
            self.remotes.get(pair.remote).copied(),
        ) else {
            return;
        };
        // Ours: the latest nomination wins. The peer's: a later NOMINATION value wins
        // (renomination); without one, the nominated pair of highest priority (RFC 5245
        // §8.1.1 for aggressive nomination; a regular one nominates once).
        if self.role == Role::Controlled
            && let Some(current) = self.selected_pair.and_then(|c| self.checks.get(c))
            && self.state != ConnectionState::Disconnected
        {
            let later = pair.nomination > current.nomination;
            let earlier = pair.nomination < current.nomination;
            if earlier || (!later && current.priority > pair.priority) {
                return;
            }
        }
        if self.consent.nominating == Some(id) {
            self.consent.nominating = None;
        }
        self.select_path(now, SelectedPath { local, remote }, Some(id));
    }

    /// Makes `path` the selected pair and starts consent on it.
    pub(super) fn select_path(&mut self, now: Instant, path: SelectedPath, id: Option<PairId>) {
        self.selected_pair = id;
        if self.selected != Some(path) {
            self.selected = Some(path);
            self.events.push_back(Event::SelectedPair {
                local: path.local,
                remote: path.remote,
            });
            self.bind_selected_channel(now);
        }
        self.consent.granted = Some(now);
        if !self.config.lite {
            self.consent.next_check =
                Some(now + jittered(self.config.consent_interval, &mut self.rng));
        }
        self.update_connected_state();
    }

    pub(super) fn update_connected_state(&mut self) {
        if self.selected.is_none() {
            return;
        }
        let nominated_and_settled = self
            .selected_pair
            .and_then(|id| self.checks.get(id))
            .is_some_and(|p| {
                // The controlling agent is done once nothing better can come; the controlled
                // one follows its nominations, whatever else succeeded.
                let or_valid = self.role == Role::Controlling;
                p.nominated && !self.checks.better_possible(p.priority, or_valid)
            });
        let state = if nominated_and_settled || self.config.lite {
            ConnectionState::Completed
        } else {
            ConnectionState::Connected
        };
        if matches!(
            self.state,
            ConnectionState::New
                | ConnectionState::Checking
                | ConnectionState::Connected
                | ConnectionState::Disconnected
                | ConnectionState::Failed
        ) {
            self.set_state(state);
        }
    }

    /// The controlling agent nominates the best valid pair when the time has come (§8.1.1).
    pub(super) fn nominate_if_ready(&mut self, now: Instant) {
        if self.role != Role::Controlling || self.config.lite || self.remote_credentials.is_none() {
            return;
        }
        if self.consent.nominating.is_some_and(|id| {
            self.checks
                .get(id)
                .is_some_and(|p| p.check.is_some() && p.state == PairState::Succeeded)
        }) {
            return;
        }
        let best = self
            .checks
            .iter()
            .filter(|(_, p)| p.state == PairState::Succeeded)
            .max_by_key(|(_, p)| p.priority)
            .map(|(id, p)| (id, p.priority, p.nominated));
        let Some((id, priority, nominated)) = best else {
            return;
        };
        if nominated {
            return;
        }
        let deadline = self.first_valid.map(|t| t + self.config.nomination_delay);
        let waited = deadline.is_some_and(|t| now >= t);
        if !waited && let Some(until) = self.checks.better_pending(priority, now, self.patience()) {
            self.consent.nomination_wakeup = [until, deadline].into_iter().flatten().min();
            return;
        }
        self.consent.nomination_wakeup = None;
        if self.checks.get(id).is_some_and(|p| p.check.is_some()) {
            return;
        }
        self.consent.nominating = Some(id);
        self.consent.nominations += 1;
        self.start_check(now, id, true, false);
    }

    /// How long a check on a better pair may stay unanswered before the controlling agent
    /// nominates without it: twice the best round trip seen plus Ta (a better pair that
    /// succeeds later is nominated then).
    fn patience(&self) -> std::time::Duration {
        self.best_rtt
            .map_or(self.config.nomination_delay, |rtt| 2 * rtt + self.config.ta)
    }

    /// An authenticated answer on the selected pair: consent holds (RFC 7675 §5.1).
    pub(super) fn consent_granted(&mut self, now: Instant) {
        self.consent.granted = Some(now);
        if self.state == ConnectionState::Disconnected {
            self.update_connected_state();
        }
    }

    /// When a consent or nomination timer is next due.
    pub(super) fn consent_deadline(&self) -> Option<Instant> {
        let nomination = (self.role == Role::Controlling && !self.config.lite)
            .then_some(self.consent.nomination_wakeup)
            .flatten();
        let liveness = self.selected.and(self.consent.granted).map(|granted| {
            if self.state == ConnectionState::Disconnected {
                granted + self.config.consent_timeout
            } else {
                granted + self.config.disconnected_after
            }
        });
        let liveness = liveness.filter(|_| self.state != ConnectionState::Failed);
        [nomination, self.consent.next_check, liveness]
            .into_iter()
            .flatten()
            .min()
    }

    /// Sends consent checks and moves to disconnected or failed as consent ages.
    pub(super) fn consent_timeouts(&mut self, now: Instant) {
        if self.selected.is_none() || self.state == ConnectionState::Failed {
            return;
        }
        if let Some(next) = self.consent.next_check
            && now >= next
        {
            self.consent.next_check =
                Some(now + jittered(self.config.consent_interval, &mut self.rng));
            if let Some(id) = self.selected_pair
                && self.checks.get(id).is_some_and(|p| p.check.is_none())
            {
                self.start_check(now, id, false, true);
            }
        }
        let Some(granted) = self.consent.granted else {
            return;
        };
        if now >= granted + self.config.consent_timeout {
            // RFC 7675 §5.1: consent expired; no more data may be sent.
            self.consent.next_check = None;
            self.set_state(ConnectionState::Failed);
        } else if now >= granted + self.config.disconnected_after
            && self.state != ConnectionState::Disconnected
        {
            self.set_state(ConnectionState::Disconnected);
        }
    }
}
