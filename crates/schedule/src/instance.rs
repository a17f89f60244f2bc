//! What the scheduler is given.

use serde::{Deserialize, Serialize};

/// The most slots an event may have (slot sets are 128-bit masks).
pub const MAX_SLOTS: usize = 128;

/// A scheduling problem. Participants and meetings are referred to by their ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Number of slots, in time order.
    pub slots: usize,
    /// The day of each slot (idle slots count only between meetings of one day). Empty:
    /// every slot on one day.
    #[serde(default)]
    pub slot_days: Vec<u32>,
    /// Number of tables (or rooms); each holds one meeting per slot.
    pub tables: usize,
    pub participants: Vec<Participant>,
    /// Pairs of groups whose members may meet (either way round). Empty: anyone may
    /// meet anyone.
    #[serde(default)]
    pub may_meet: Vec<(String, String)>,
    pub meetings: Vec<Wanted>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub id: u64,
    #[serde(default)]
    pub group: String,
    /// The slots this participant can attend; `None`: all.
    #[serde(default)]
    pub available: Option<Vec<usize>>,
    /// The most meetings this participant takes; `None`: no cap.
    #[serde(default)]
    pub max_meetings: Option<u32>,
}

/// A meeting wanted between participants `a` and `b`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wanted {
    pub id: u64,
    pub a: u64,
    pub b: u64,
    /// Priority: placing this meeting is worth this much (at least 1).
    #[serde(default = "one")]
    pub weight: u32,
    /// Where a published schedule put it; kept there if it still fits.
    #[serde(default)]
    pub fixed: Option<Placement>,
}

fn one() -> u32 {
    1
}

/// A meeting's slot and table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Placement {
    pub slot: usize,
    pub table: usize,
}

/// Why an instance cannot be scheduled at all.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum InstanceError {
    #[error("slots: {0} slots; an event has 1 to {MAX_SLOTS}")]
    Slots(usize),
    #[error("slot_days: {given} days given for {slots} slots; give one per slot or none")]
    SlotDays { given: usize, slots: usize },
    #[error("participants[{index}]: id {id} is used twice")]
    DuplicateParticipant { index: usize, id: u64 },
    #[error("participants[{index}] (id {id}): available slot {slot} is not below slots ({slots})")]
    AvailableSlot {
        index: usize,
        id: u64,
        slot: usize,
        slots: usize,
    },
    #[error("meetings[{index}]: id {id} is used twice")]
    DuplicateMeeting { index: usize, id: u64 },
    #[error("meetings[{index}] (id {id}): participant {participant} is not in participants")]
    UnknownParticipant {
        index: usize,
        id: u64,
        participant: u64,
    },
    #[error("meetings[{index}] (id {id}): a participant cannot meet itself ({participant})")]
    SelfMeeting {
        index: usize,
        id: u64,
        participant: u64,
    },
    #[error("meetings[{index}] (id {id}): weight must be at least 1")]
    Weight { index: usize, id: u64 },
}

/// An instance in the solver's terms: participants and meetings by index, slot sets as
/// masks.
pub(crate) struct Prepared {
    pub slots: usize,
    pub day: Vec<u32>,
    pub tables: usize,
    /// Per participant: available slots.
    pub available: Vec<u128>,
    pub cap: Vec<u32>,
    pub meetings: Vec<PreparedMeeting>,
}

pub(crate) struct PreparedMeeting {
    pub id: u64,
    pub a: usize,
    pub b: usize,
    pub weight: u64,
    pub fixed: Option<Placement>,
    /// Meeting allowed by the group rules.
    pub allowed: bool,
}

impl Instance {
    /// Checks the instance and maps ids to indices.
    pub(crate) fn prepare(&self) -> Result<Prepared, InstanceError> {
        if self.slots == 0 || self.slots > MAX_SLOTS {
            return Err(InstanceError::Slots(self.slots));
        }
        if !self.slot_days.is_empty() && self.slot_days.len() != self.slots {
            return Err(InstanceError::SlotDays {
                given: self.slot_days.len(),
                slots: self.slots,
            });
        }
        let all: u128 = if self.slots == 128 {
            u128::MAX
        } else {
            (1u128 << self.slots) - 1
        };
        let mut index = std::collections::HashMap::with_capacity(self.participants.len());
        let mut available = Vec::with_capacity(self.participants.len());
        let mut cap = Vec::with_capacity(self.participants.len());
        for (i, p) in self.participants.iter().enumerate() {
            if index.insert(p.id, i).is_some() {
                return Err(InstanceError::DuplicateParticipant { index: i, id: p.id });
            }
            let mask = match &p.available {
                None => all,
                Some(slots) => {
                    let mut m = 0u128;
                    for &s in slots {
                        if s >= self.slots {
                            return Err(InstanceError::AvailableSlot {
                                index: i,
                                id: p.id,
                                slot: s,
                                slots: self.slots,
                            });
                        }
                        m |= 1 << s;
                    }
                    m
                }
            };
            available.push(mask);
            cap.push(p.max_meetings.unwrap_or(u32::MAX));
        }
        let allowed = |a: usize, b: usize| {
            let (ga, gb) = (&self.participants[a].group, &self.participants[b].group);
            self.may_meet.is_empty()
                || self
                    .may_meet
                    .iter()
                    .any(|(x, y)| (x == ga && y == gb) || (x == gb && y == ga))
        };
        let mut ids = std::collections::HashSet::with_capacity(self.meetings.len());
        let mut meetings = Vec::with_capacity(self.meetings.len());
        for (i, m) in self.meetings.iter().enumerate() {
            if !ids.insert(m.id) {
                return Err(InstanceError::DuplicateMeeting { index: i, id: m.id });
            }
            let find = |participant: u64| {
                index
                    .get(&participant)
                    .copied()
                    .ok_or(InstanceError::UnknownParticipant {
                        index: i,
                        id: m.id,
                        participant,
                    })
            };
            let (a, b) = (find(m.a)?, find(m.b)?);
            if a == b {
                return Err(InstanceError::SelfMeeting {
                    index: i,
                    id: m.id,
                    participant: m.a,
                });
            }
            if m.weight == 0 {
                return Err(InstanceError::Weight { index: i, id: m.id });
            }
            meetings.push(PreparedMeeting {
                id: m.id,
                a,
                b,
                weight: m.weight as u64,
                fixed: m.fixed,
                allowed: allowed(a, b),
            });
        }
        Ok(Prepared {
            slots: self.slots,
            day: if self.slot_days.is_empty() {
                vec![0; self.slots]
            } else {
                self.slot_days.clone()
            },
            tables: self.tables,
            available,
            cap,
            meetings,
        })
    }
}
