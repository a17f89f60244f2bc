//! Placing meetings: a weighted greedy start, ejection chains, then fewer idle slots.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::instance::{Instance, InstanceError, Placement, Prepared};

/// The result of scheduling.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// Placed meetings by id, in (slot, table) order.
    pub placed: Vec<PlacedMeeting>,
    /// Meetings that could not be placed, by id, with the reason.
    pub unplaced: Vec<Unplaced>,
    /// Sum of the weights of the placed meetings.
    pub weight: u64,
    /// Idle slots between a participant's meetings of a day, summed over participants.
    pub gaps: u64,
    /// Meetings with a fixed (published) placement that had to move or were dropped.
    pub moved: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlacedMeeting {
    pub id: u64,
    pub slot: usize,
    pub table: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaced {
    pub id: u64,
    pub reason: UnplacedReason,
}

/// Why a meeting has no place.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnplacedReason {
    /// The two participants' groups may not meet.
    GroupRule,
    /// The two participants have no slot in which both are available.
    NoCommonSlot,
    /// One of them has reached the cap on meetings.
    Cap,
    /// Every slot both could use is taken by meetings of more weight, or its tables are.
    Crowded,
}

impl UnplacedReason {
    pub fn text(self, english: bool) -> &'static str {
        match (self, english) {
            (UnplacedReason::GroupRule, false) => "两方所属分组不允许会面",
            (UnplacedReason::GroupRule, true) => "their groups may not meet",
            (UnplacedReason::NoCommonSlot, false) => "双方没有共同的可用时段",
            (UnplacedReason::NoCommonSlot, true) => "no slot in which both are available",
            (UnplacedReason::Cap, false) => "一方的洽谈场次已达上限",
            (UnplacedReason::Cap, true) => "one side has reached its meeting cap",
            (UnplacedReason::Crowded, false) => "共同时段已被更优先的洽谈或桌位占满",
            (UnplacedReason::Crowded, true) => {
                "their common slots are taken by higher-priority meetings or full"
            }
        }
    }
}

/// A rule a schedule breaks (see [`check`]).
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Violation {
    #[error(transparent)]
    Instance(#[from] InstanceError),
    #[error("meeting {0} is not in the instance")]
    UnknownMeeting(u64),
    #[error("meeting {0} is placed twice")]
    PlacedTwice(u64),
    #[error("meeting {id}: slot {slot} or table {table} is outside the grid")]
    OutsideGrid { id: u64, slot: usize, table: usize },
    #[error("meeting {id}: participant {participant} is not available in slot {slot}")]
    Unavailable {
        id: u64,
        participant: u64,
        slot: usize,
    },
    #[error("meeting {id}: its participants' groups may not meet")]
    GroupRule { id: u64 },
    #[error("participant {participant} has two meetings in slot {slot}")]
    ParticipantTwice { participant: u64, slot: usize },
    #[error("table {table} has two meetings in slot {slot}")]
    TableTwice { table: usize, slot: usize },
    #[error("participant {participant} has more meetings than its cap")]
    OverCap { participant: u64 },
    #[error("the schedule's weight {claimed} is not the sum of its meetings' weights {actual}")]
    Weight { claimed: u64, actual: u64 },
}

const NONE: u32 = u32::MAX;

/// The solver's working state.
struct State<'p> {
    p: &'p Prepared,
    busy: Vec<u128>,
    count: Vec<u32>,
    /// Meetings in each slot.
    in_slot: Vec<Vec<u32>>,
    /// The meeting of participant × slot (`NONE` if free).
    who: Vec<u32>,
    slot_of: Vec<Option<usize>>,
    /// Undo log of (meeting, slot it had before the change).
    log: Vec<(usize, Option<usize>)>,
    day_masks: Vec<u128>,
}

impl<'p> State<'p> {
    fn new(p: &'p Prepared) -> State<'p> {
        let days = p.day.iter().copied().max().map_or(0, |d| d as usize + 1);
        let mut day_masks = vec![0u128; days];
        for (s, &d) in p.day.iter().enumerate() {
            day_masks[d as usize] |= 1 << s;
        }
        State {
            p,
            busy: vec![0; p.available.len()],
            count: vec![0; p.available.len()],
            in_slot: vec![Vec::new(); p.slots],
            who: vec![NONE; p.available.len() * p.slots],
            slot_of: vec![None; p.meetings.len()],
            log: Vec::new(),
            day_masks,
        }
    }

    fn common(&self, m: usize) -> u128 {
        let mm = &self.p.meetings[m];
        self.p.available[mm.a] & self.p.available[mm.b]
    }

    fn weight(&self, m: usize) -> u64 {
        self.p.meetings[m].weight
    }

    fn fits(&self, m: usize, s: usize) -> bool {
        let mm = &self.p.meetings[m];
        let bit = 1u128 << s;
        mm.allowed
            && self.common(m) & bit != 0
            && (self.busy[mm.a] | self.busy[mm.b]) & bit == 0
            && self.in_slot[s].len() < self.p.tables
            && self.count[mm.a] < self.p.cap[mm.a]
            && self.count[mm.b] < self.p.cap[mm.b]
    }

    fn place(&mut self, m: usize, s: usize) {
        let (a, b) = (self.p.meetings[m].a, self.p.meetings[m].b);
        self.log.push((m, self.slot_of[m]));
        self.busy[a] |= 1 << s;
        self.busy[b] |= 1 << s;
        self.count[a] += 1;
        self.count[b] += 1;
        self.who[a * self.p.slots + s] = m as u32;
        self.who[b * self.p.slots + s] = m as u32;
        self.in_slot[s].push(m as u32);
        self.slot_of[m] = Some(s);
    }

    fn remove(&mut self, m: usize) {
        let Some(s) = self.slot_of[m] else { return };
        let (a, b) = (self.p.meetings[m].a, self.p.meetings[m].b);
        self.log.push((m, Some(s)));
        self.busy[a] &= !(1 << s);
        self.busy[b] &= !(1 << s);
        self.count[a] -= 1;
        self.count[b] -= 1;
        self.who[a * self.p.slots + s] = NONE;
        self.who[b * self.p.slots + s] = NONE;
        let list = &mut self.in_slot[s];
        if let Some(i) = list.iter().position(|&x| x as usize == m) {
            list.remove(i);
        }
        self.slot_of[m] = None;
    }

    /// Undoes every change after log position `mark`.
    fn rollback(&mut self, mark: usize) {
        while self.log.len() > mark {
            let (m, before) = self.log.pop().expect("log entry");
            let now = self.slot_of[m];
            // Re-apply the old state without logging.
            if now.is_some() {
                self.remove(m);
                self.log.pop();
            }
            if let Some(s) = before {
                self.place(m, s);
                self.log.pop();
            }
        }
    }

    /// Idle slots of participant `p` inside the span of its meetings of each day.
    fn gaps_of(&self, p: usize) -> u64 {
        self.day_masks
            .iter()
            .map(|&day| {
                let busy = self.busy[p] & day;
                if busy.count_ones() < 2 {
                    return 0;
                }
                let span = 128 - busy.leading_zeros() - busy.trailing_zeros();
                (span - busy.count_ones()) as u64
            })
            .sum()
    }

    /// Change in the idle slots of `m`'s two participants if `m` went into slot `s`.
    fn gap_delta(&mut self, m: usize, s: usize) -> i64 {
        let (a, b) = (self.p.meetings[m].a, self.p.meetings[m].b);
        let before = self.gaps_of(a) + self.gaps_of(b);
        self.busy[a] |= 1 << s;
        self.busy[b] |= 1 << s;
        let after = self.gaps_of(a) + self.gaps_of(b);
        self.busy[a] &= !(1 << s);
        self.busy[b] &= !(1 << s);
        after as i64 - before as i64
    }

    /// The slot where `m` fits best now: fewest new idle slots, then the emptier slot,
    /// then the earlier.
    fn best_slot(&mut self, m: usize, except: Option<usize>) -> Option<usize> {
        let mut best: Option<(i64, usize, usize)> = None;
        let mut slots = self.common(m);
        while slots != 0 {
            let s = slots.trailing_zeros() as usize;
            slots &= slots - 1;
            if Some(s) == except || !self.fits(m, s) {
                continue;
            }
            let key = (self.gap_delta(m, s), self.in_slot[s].len(), s);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.map(|(_, _, s)| s)
    }

    /// Places the unplaced meeting `m` in slot `s`, evicting what stands in its way;
    /// evicted meetings try to move elsewhere (`depth` more evictions deep). Returns the
    /// weight lost (meetings evicted that found no other place), or `None` (nothing
    /// changed) when `m` cannot go to `s` at all.
    fn force(&mut self, m: usize, s: usize, depth: u32, locked: &mut Vec<usize>) -> Option<u64> {
        let mm = &self.p.meetings[m];
        let (a, b) = (mm.a, mm.b);
        if !mm.allowed || self.common(m) & (1 << s) == 0 {
            return None;
        }
        let mut evict: Vec<usize> = Vec::new();
        for p in [a, b] {
            let w = self.who[p * self.p.slots + s];
            if w != NONE && !evict.contains(&(w as usize)) {
                evict.push(w as usize);
            }
        }
        let full = self.in_slot[s].len() >= self.p.tables;
        if full && evict.is_empty() {
            // Make room: the lightest meeting of the slot that is not locked.
            let lightest = self.in_slot[s]
                .iter()
                .map(|&x| x as usize)
                .filter(|x| !locked.contains(x))
                .min_by_key(|&x| (self.weight(x), std::cmp::Reverse(x)))?;
            evict.push(lightest);
        }
        for p in [a, b] {
            let frees_one = evict
                .iter()
                .any(|&e| self.p.meetings[e].a == p || self.p.meetings[e].b == p);
            if self.count[p] >= self.p.cap[p] && !frees_one {
                // At the cap: its lightest meeting elsewhere gives way.
                let mut busy = self.busy[p];
                let mut lightest: Option<usize> = None;
                while busy != 0 {
                    let t = busy.trailing_zeros() as usize;
                    busy &= busy - 1;
                    let x = self.who[p * self.p.slots + t] as usize;
                    if locked.contains(&x) {
                        continue;
                    }
                    if lightest.is_none_or(|l| self.weight(x) < self.weight(l)) {
                        lightest = Some(x);
                    }
                }
                evict.push(lightest?);
            }
        }
        if evict.iter().any(|e| locked.contains(e)) {
            return None;
        }
        let evicted_weight: u64 = evict.iter().map(|&e| self.weight(e)).sum();
        if depth == 0 && evicted_weight >= self.weight(m) {
            return None;
        }
        for &e in &evict {
            self.remove(e);
        }
        debug_assert!(self.fits(m, s), "room was made");
        self.place(m, s);
        locked.push(m);
        let mut lost = 0;
        evict.sort_by_key(|&e| (std::cmp::Reverse(self.weight(e)), e));
        for e in evict {
            if let Some(t) = self.best_slot(e, Some(s)) {
                self.place(e, t);
                continue;
            }
            if depth > 0 && self.relocate(e, depth - 1, locked) {
                continue;
            }
            lost += self.weight(e);
        }
        Some(lost)
    }

    /// Puts the unplaced meeting `e` somewhere by evicting others that can move on;
    /// true if it found a place losing nothing.
    fn relocate(&mut self, e: usize, depth: u32, locked: &mut Vec<usize>) -> bool {
        let mut slots = self.common(e);
        while slots != 0 {
            let s = slots.trailing_zeros() as usize;
            slots &= slots - 1;
            let mark = self.log.len();
            let held = locked.len();
            match self.force(e, s, depth, locked) {
                Some(0) => return true,
                Some(_) => {
                    self.rollback(mark);
                    locked.truncate(held);
                }
                None => {}
            }
        }
        false
    }

    /// Tries to place the unplaced `m` with a net gain of weight.
    fn improve(&mut self, m: usize) -> bool {
        let mut slots = self.common(m);
        while slots != 0 {
            let s = slots.trailing_zeros() as usize;
            slots &= slots - 1;
            let mark = self.log.len();
            let mut locked = Vec::new();
            match self.force(m, s, 1, &mut locked) {
                Some(lost) if lost < self.weight(m) => {
                    self.log.truncate(mark);
                    return true;
                }
                Some(_) => self.rollback(mark),
                None => {}
            }
        }
        false
    }
}

/// Schedules an instance (see the crate documentation).
pub fn schedule(instance: &Instance) -> Result<Schedule, InstanceError> {
    let p = instance.prepare()?;
    let n = p.meetings.len();
    // Several greedy orders, each improved by ejection chains; the heaviest wins (the
    // earliest order on ties). Fewer orders on large events keep the time near-linear.
    let rounds = (20_000 / n.max(1)).clamp(2, 32) as u64;
    let weight = |st: &State<'_>| -> u64 {
        (0..n)
            .filter(|&m| st.slot_of[m].is_some())
            .map(|m| p.meetings[m].weight)
            .sum()
    };
    let mut st = attempt(&p, 0);
    let mut best = weight(&st);
    for round in 1..rounds {
        let next = attempt(&p, round);
        let w = weight(&next);
        if w > best {
            (st, best) = (next, w);
        }
    }
    compact(&p, &mut st);
    // Moving meetings may have opened a slot for one left out: take it.
    let mut left: Vec<usize> = (0..n).filter(|&m| st.slot_of[m].is_none()).collect();
    left.sort_by_key(|&m| (std::cmp::Reverse(p.meetings[m].weight), p.meetings[m].id));
    for m in left {
        if let Some(s) = st.best_slot(m, None) {
            st.place(m, s);
        }
    }
    Ok(finish(&p, &st))
}

/// One greedy order (`round` 0: fewest common slots first; 1: participants with fewest
/// requests first; later rounds: a fixed pseudo-random order), then ejection chains.
fn attempt(p: &Prepared, round: u64) -> State<'_> {
    let mut st = State::new(p);
    let n = p.meetings.len();

    // Published placements stay where they still fit.
    let mut fixed: Vec<usize> = (0..n).filter(|&m| p.meetings[m].fixed.is_some()).collect();
    fixed.sort_by_key(|&m| (std::cmp::Reverse(p.meetings[m].weight), p.meetings[m].id));
    for &m in &fixed {
        let s = p.meetings[m].fixed.expect("fixed").slot;
        if s < p.slots && st.fits(m, s) {
            st.place(m, s);
        }
    }

    // Greedy: heavy meetings first; among equals as the round says.
    let mut requests = vec![0u64; p.available.len()];
    for m in &p.meetings {
        requests[m.a] += 1;
        requests[m.b] += 1;
    }
    let mut order: Vec<usize> = (0..n).filter(|&m| st.slot_of[m].is_none()).collect();
    order.sort_by_key(|&m| {
        let mm = &p.meetings[m];
        let among_equals = match round {
            0 => st.common(m).count_ones() as u64,
            1 => requests[mm.a] + requests[mm.b],
            _ => mix(round, mm.id),
        };
        (std::cmp::Reverse(mm.weight), among_equals, mm.id)
    });
    for &m in &order {
        if let Some(s) = st.best_slot(m, None) {
            st.place(m, s);
        }
    }

    // Ejection chains: an unplaced meeting takes a slot, what was there moves on.
    for _ in 0..8 {
        let mut changed = false;
        for &m in &order {
            if st.slot_of[m].is_none() && p.meetings[m].allowed && st.improve(m) {
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    st.log.clear();
    st
}

/// A fixed pseudo-random number for a round and a meeting (splitmix64).
fn mix(round: u64, id: u64) -> u64 {
    let mut z = round.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(id);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fewer idle slots: moves single meetings where they leave fewer gaps, never a
/// published meeting that sits where it was published.
fn compact(p: &Prepared, st: &mut State<'_>) {
    let n = p.meetings.len();
    let mut by_id: Vec<usize> = (0..n).collect();
    by_id.sort_by_key(|&m| p.meetings[m].id);
    for _ in 0..16 {
        let mut changed = false;
        for &m in &by_id {
            let Some(s) = st.slot_of[m] else { continue };
            if p.meetings[m].fixed.is_some_and(|f| f.slot == s) {
                continue; // a published meeting does not move for comfort
            }
            st.remove(m);
            let stay = st.gap_delta(m, s);
            match st.best_slot(m, None) {
                Some(t) if t != s && st.gap_delta(m, t) < stay => st.place(m, t),
                _ => st.place(m, s),
            }
            if st.slot_of[m] != Some(s) {
                changed = true;
            }
        }
        st.log.clear();
        if !changed {
            break;
        }
    }
}

/// Tables, reasons and totals of a finished assignment of slots.
fn finish(p: &Prepared, st: &State<'_>) -> Schedule {
    let mut placed = Vec::new();
    for s in 0..p.slots {
        let mut used = vec![false; p.tables];
        let mut members: Vec<usize> = st.in_slot[s].iter().map(|&m| m as usize).collect();
        members.sort_by_key(|&m| p.meetings[m].id);
        let mut rest = Vec::new();
        for m in members {
            match p.meetings[m].fixed {
                Some(f) if f.slot == s && f.table < p.tables && !used[f.table] => {
                    used[f.table] = true;
                    placed.push(PlacedMeeting {
                        id: p.meetings[m].id,
                        slot: s,
                        table: f.table,
                    });
                }
                _ => rest.push(m),
            }
        }
        let mut free = (0..p.tables).filter(|&t| !used[t]);
        for m in rest {
            let table = free
                .next()
                .expect("a slot never holds more meetings than tables");
            placed.push(PlacedMeeting {
                id: p.meetings[m].id,
                slot: s,
                table,
            });
        }
    }
    placed.sort_by_key(|m| (m.slot, m.table));
    let at: HashMap<u64, Placement> = placed
        .iter()
        .map(|m| {
            (
                m.id,
                Placement {
                    slot: m.slot,
                    table: m.table,
                },
            )
        })
        .collect();
    let mut unplaced = Vec::new();
    let mut weight = 0;
    let mut moved = 0;
    for (m, mm) in p.meetings.iter().enumerate() {
        if let Some(f) = mm.fixed {
            if at.get(&mm.id) != Some(&f) {
                moved += 1;
            }
        }
        if st.slot_of[m].is_some() {
            weight += mm.weight;
            continue;
        }
        let reason = if !mm.allowed {
            UnplacedReason::GroupRule
        } else if st.common(m) == 0 {
            UnplacedReason::NoCommonSlot
        } else if st.count[mm.a] >= p.cap[mm.a] || st.count[mm.b] >= p.cap[mm.b] {
            UnplacedReason::Cap
        } else {
            UnplacedReason::Crowded
        };
        unplaced.push(Unplaced { id: mm.id, reason });
    }
    unplaced.sort_by_key(|u| u.id);
    let gaps = (0..p.available.len()).map(|x| st.gaps_of(x)).sum();
    Schedule {
        placed,
        unplaced,
        weight,
        gaps,
        moved,
    }
}

/// The baseline: every meeting in the order given into the first slot where both sides
/// are free and available and a table is left (what first-come self-booking reaches).
pub fn first_fit(instance: &Instance) -> Result<Schedule, InstanceError> {
    let p = instance.prepare()?;
    let mut st = State::new(&p);
    for m in 0..p.meetings.len() {
        if let Some(s) = (0..p.slots).find(|&s| st.fits(m, s)) {
            st.place(m, s);
        }
    }
    Ok(finish(&p, &st))
}

/// Checks a schedule against its instance with nothing of the solver's bookkeeping:
/// every placed meeting exists once, inside the grid, both sides available, groups
/// allowed, no participant or table twice in a slot, caps kept, weight summed right.
pub fn check(instance: &Instance, schedule: &Schedule) -> Result<(), Violation> {
    instance.prepare()?;
    let meetings: HashMap<u64, &crate::Wanted> =
        instance.meetings.iter().map(|m| (m.id, m)).collect();
    let participants: HashMap<u64, &crate::Participant> =
        instance.participants.iter().map(|p| (p.id, p)).collect();
    let mut seen = BTreeSet::new();
    let mut participant_slots = BTreeSet::new();
    let mut table_slots = BTreeSet::new();
    let mut counts: BTreeMap<u64, u32> = BTreeMap::new();
    let mut weight = 0;
    for placed in &schedule.placed {
        let m = meetings
            .get(&placed.id)
            .ok_or(Violation::UnknownMeeting(placed.id))?;
        if !seen.insert(placed.id) {
            return Err(Violation::PlacedTwice(placed.id));
        }
        if placed.slot >= instance.slots || placed.table >= instance.tables {
            return Err(Violation::OutsideGrid {
                id: placed.id,
                slot: placed.slot,
                table: placed.table,
            });
        }
        let (a, b) = (participants[&m.a], participants[&m.b]);
        for p in [a, b] {
            let available = p
                .available
                .as_ref()
                .is_none_or(|slots| slots.contains(&placed.slot));
            if !available {
                return Err(Violation::Unavailable {
                    id: placed.id,
                    participant: p.id,
                    slot: placed.slot,
                });
            }
            if !participant_slots.insert((p.id, placed.slot)) {
                return Err(Violation::ParticipantTwice {
                    participant: p.id,
                    slot: placed.slot,
                });
            }
            let c = counts.entry(p.id).or_default();
            *c += 1;
            if p.max_meetings.is_some_and(|cap| *c > cap) {
                return Err(Violation::OverCap { participant: p.id });
            }
        }
        let groups_ok = instance.may_meet.is_empty()
            || instance
                .may_meet
                .iter()
                .any(|(x, y)| (*x == a.group && *y == b.group) || (*x == b.group && *y == a.group));
        if !groups_ok {
            return Err(Violation::GroupRule { id: placed.id });
        }
        if !table_slots.insert((placed.table, placed.slot)) {
            return Err(Violation::TableTwice {
                table: placed.table,
                slot: placed.slot,
            });
        }
        weight += m.weight as u64;
    }
    if weight != schedule.weight {
        return Err(Violation::Weight {
            claimed: schedule.weight,
            actual: weight,
        });
    }
    Ok(())
}
