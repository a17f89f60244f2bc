//! Sign-in throttling: how many sign-ins may fail, within a window, for an account at one
//! address, for an account from anywhere, and from one address for any account. No I/O
//! and no clock: callers pass the time in seconds.
//!
//! The count is taken before the password is checked: an attempt is admitted and counted
//! as a failure in one step, under one lock, and given back only if it succeeds. So a
//! hundred simultaneous guesses cannot all pass the check before the first failure is
//! written down. Memory is bounded: keys are fixed-size hashes (a 60 KB username costs
//! what a short one does), a key holds at most its limit of times, and the table holds at
//! most `max_keys` keys; when it is full of live keys, new ones are refused (fail closed).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// The limits of a [`Throttle`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottleLimits {
    /// Seconds a failure counts for.
    pub window: i64,
    /// Failures of one account from one address.
    pub per_pair: usize,
    /// Failures of one account from all addresses (a guesser with many addresses). Not
    /// applied to a browser with a device cookie for the account.
    pub per_account: usize,
    /// Failures from one address for all accounts (one guesser trying many accounts). Not
    /// applied to a browser with a device cookie for the account, so that people behind
    /// one proxy do not lock each other out.
    pub per_address: usize,
    /// Keys the table may hold.
    pub max_keys: usize,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        ThrottleLimits {
            window: 15 * 60,
            per_pair: 5,
            per_account: 20,
            per_address: 20,
            max_keys: 50_000,
        }
    }
}

type Key = [u8; 16];

fn key(kind: &str, value: &str) -> Key {
    let digest = Sha256::new()
        .chain_update(kind.as_bytes())
        .chain_update([0])
        .chain_update(value.as_bytes())
        .finalize();
    let mut k = [0u8; 16];
    k.copy_from_slice(&digest[..16]);
    k
}

#[derive(Default)]
struct Failures {
    /// When each counted attempt began, oldest first; at most the key's limit.
    times: VecDeque<i64>,
    /// When a refusal of this key was last reported, so that a guesser hammering a
    /// blocked account makes one audit entry per window, not one per request.
    reported: Option<i64>,
}

/// Failed sign-ins per account, per address and per pair within a window.
pub struct Throttle {
    limits: ThrottleLimits,
    failures: Mutex<HashMap<Key, Failures>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(ThrottleLimits::default())
    }
}

/// A sign-in attempt the throttle admitted. It counts as a failure unless
/// [`Throttle::succeeded`] is told otherwise.
#[derive(Debug)]
pub struct Attempt {
    pair: Key,
    account: Option<Key>,
    address: Option<Key>,
    at: i64,
}

/// Why an attempt was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Seconds until an attempt may be admitted again.
    pub wait: i64,
    /// Whether this is the first refusal of the key in its window (worth an audit entry).
    pub first: bool,
}

impl Throttle {
    pub fn new(limits: ThrottleLimits) -> Throttle {
        Throttle {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// Admits an attempt to sign in to `account` from `address` at `now`, counting it, or
    /// refuses it. `trusted_device`: the browser carries a device cookie for the account.
    pub fn begin(
        &self,
        account: &str,
        address: &str,
        trusted_device: bool,
        now: i64,
    ) -> Result<Attempt, Refused> {
        let l = self.limits;
        let attempt = Attempt {
            pair: key("pair", &format!("{account}\0{address}")),
            account: (!trusted_device).then(|| key("account", account)),
            address: (!trusted_device).then(|| key("address", address)),
            at: now,
        };
        let keys = [
            Some((attempt.pair, l.per_pair)),
            attempt.account.map(|k| (k, l.per_account)),
            attempt.address.map(|k| (k, l.per_address)),
        ];
        let mut table = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut refused: Option<Refused> = None;
        for (k, limit) in keys.iter().flatten() {
            let Some(f) = table.get_mut(k) else { continue };
            while f.times.front().is_some_and(|&t| t <= now - l.window) {
                f.times.pop_front();
            }
            if f.times.len() >= *limit {
                let wait = (f.times[f.times.len() - limit] + l.window - now).max(1);
                let first = f.reported.is_none_or(|r| r <= now - l.window);
                if first {
                    f.reported = Some(now);
                }
                refused = Some(Refused {
                    wait: refused.map_or(wait, |r| r.wait.max(wait)),
                    first: refused.is_some_and(|r| r.first) || first,
                });
            }
        }
        if let Some(r) = refused {
            return Err(r);
        }
        let new_keys = keys
            .iter()
            .flatten()
            .filter(|(k, _)| !table.contains_key(k))
            .count();
        if table.len() + new_keys > l.max_keys {
            table.retain(|_, f| f.times.back().is_some_and(|&t| t > now - l.window));
            if table.len() + new_keys > l.max_keys {
                return Err(Refused {
                    wait: l.window,
                    first: false,
                });
            }
        }
        for (k, _) in keys.iter().flatten() {
            table.entry(*k).or_default().times.push_back(now);
        }
        Ok(attempt)
    }

    /// The attempt signed in: the account's failures are forgiven, and the attempt no
    /// longer counts against its address.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut table = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        table.remove(&attempt.pair);
        if let Some(k) = attempt.account {
            table.remove(&k);
        }
        if let Some(f) = attempt.address.and_then(|k| table.get_mut(&k)) {
            if let Some(i) = f.times.iter().rposition(|&t| t == attempt.at) {
                f.times.remove(i);
            }
        }
    }

    /// Keys held now (for tests and the memory bound).
    pub fn len(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ThrottleLimits {
        ThrottleLimits {
            window: 100,
            per_pair: 3,
            per_account: 5,
            per_address: 4,
            max_keys: 1_000,
        }
    }

    #[test]
    fn attempts_count_before_they_are_checked() {
        let t = Throttle::new(limits());
        // Three attempts in flight at once use up the pair's limit: the fourth waits,
        // although none of the three has failed yet.
        let held: Vec<Attempt> = (0..3)
            .map(|_| t.begin("chen", "1.2.3.4", false, 10).unwrap())
            .collect();
        let refused = t.begin("chen", "1.2.3.4", false, 10).unwrap_err();
        assert_eq!(
            refused,
            Refused {
                wait: 100,
                first: true
            }
        );
        assert!(
            !t.begin("chen", "1.2.3.4", false, 11).unwrap_err().first,
            "reported once"
        );
        drop(held);
        // The window passes.
        assert!(t.begin("chen", "1.2.3.4", false, 111).is_ok());
    }

    #[test]
    fn success_forgives_the_account_and_frees_the_address() {
        let t = Throttle::new(limits());
        for _ in 0..2 {
            t.begin("chen", "1.2.3.4", false, 10).unwrap();
        }
        let good = t.begin("chen", "1.2.3.4", false, 11).unwrap();
        t.succeeded(good);
        for _ in 0..2 {
            t.begin("chen", "1.2.3.4", false, 12).unwrap();
        }
        // The address counted 2 failures + 2 failures (the success was given back): at 4.
        assert!(t.begin("wang", "1.2.3.4", false, 13).is_err());
    }

    #[test]
    fn a_known_device_is_not_locked_out_by_others_at_its_address() {
        let t = Throttle::new(limits());
        // Someone behind the same proxy guesses at many accounts.
        for (i, name) in ["a", "b", "c", "d"].iter().enumerate() {
            t.begin(name, "10.0.0.1", false, i as i64).unwrap();
        }
        assert!(
            t.begin("chen", "10.0.0.1", false, 5).is_err(),
            "the address is blocked"
        );
        // Chen's browser signed in before: the address limit does not apply to it.
        let ok = t.begin("chen", "10.0.0.1", true, 6).unwrap();
        t.succeeded(ok);
        // A guesser with many addresses against one account is stopped by the account
        // limit, but not the owner's known browser.
        for i in 0..5 {
            t.begin("wang", &format!("192.0.2.{i}"), false, 10).unwrap();
        }
        assert!(t.begin("wang", "192.0.2.99", false, 11).is_err());
        assert!(t.begin("wang", "198.51.100.7", true, 12).is_ok());
    }

    #[test]
    fn memory_is_bounded() {
        let t = Throttle::new(ThrottleLimits {
            max_keys: 30,
            per_address: 1_000,
            ..limits()
        });
        let long = "x".repeat(60_000);
        let mut admitted = 0;
        for i in 0..100 {
            if t.begin(&format!("{long}{i}"), "1.2.3.4", false, 10).is_ok() {
                admitted += 1;
            }
        }
        assert!(t.len() <= 30, "{} keys", t.len());
        // 1 address key + 2 per attempt: 14 attempts fit, the rest are refused.
        assert_eq!(admitted, 14);
        // When the window has passed, expired keys make room again.
        assert!(t.begin("chen", "1.2.3.4", false, 500).is_ok());
    }
}
