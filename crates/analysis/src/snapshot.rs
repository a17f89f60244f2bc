//! A graph written to a file and read back, so that a server starting on a database it
//! has seen before has its graph in about a second instead of reading ten million rows
//! again (the interfaces keep the file beside the database, keyed by what they choose).
//!
//! The file holds the graph's structure and core arrays, little-endian, each array with
//! its length; what follows from them (units by node, sales by unit) is laid out again
//! on reading, and the whole is checked for consistency before it is used. Arrays are
//! read in chunks as they arrive, so a cut or corrupt file costs no more memory than it
//! holds and ends in an error, never in a graph that is wrong.

use std::collections::HashMap;
use std::io::{self, Read, Write};

use chainatlas_model::{ChainId, EnterpriseId, EnterpriseSize, NodeId, RegionCode, Segment, Tags};

use crate::graph::{assemble, Core, Structure};
use crate::{Graph, Profile};

const MAGIC: &[u8; 8] = b"CAGRAPH1";
const CHUNK: usize = 1 << 16;

fn invalid(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("graph snapshot: {what}"),
    )
}

/// Fixed-size values as little-endian bytes.
trait Plain: Copy {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8]) -> Self;
}

macro_rules! plain {
    ($($t:ty),*) => {$(
        impl Plain for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("a value's bytes"))
            }
        }
    )*};
}
plain!(u8, u32, i64, u64);

fn write_array<T: Plain>(w: &mut impl Write, values: &[T]) -> io::Result<()> {
    w.write_all(&(values.len() as u64).to_le_bytes())?;
    let mut buf = Vec::with_capacity(CHUNK);
    for chunk in values.chunks(CHUNK / T::SIZE) {
        buf.clear();
        for &v in chunk {
            v.put(&mut buf);
        }
        w.write_all(&buf)?;
    }
    Ok(())
}

fn read_array<T: Plain>(r: &mut impl Read) -> io::Result<Vec<T>> {
    let mut len = [0u8; 8];
    r.read_exact(&mut len)?;
    let len = u64::from_le_bytes(len);
    if len > u32::MAX as u64 {
        return Err(invalid("an array longer than any graph's"));
    }
    let len = len as usize;
    // Grown as bytes arrive, not trusted up front.
    let mut values = Vec::with_capacity(len.min(CHUNK));
    let mut buf = vec![0u8; CHUNK / T::SIZE * T::SIZE];
    while values.len() < len {
        let n = (len - values.len()).min(CHUNK / T::SIZE);
        let bytes = &mut buf[..n * T::SIZE];
        r.read_exact(bytes)?;
        values.extend(bytes.chunks_exact(T::SIZE).map(T::get));
    }
    Ok(values)
}

fn index_of<T: PartialEq + Copy>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|&v| v == value)
        .expect("a value of the vocabulary") as u8
}

fn from_index<T: Copy>(all: &[T], index: u8) -> io::Result<T> {
    all.get(index as usize)
        .copied()
        .ok_or_else(|| invalid("an unknown vocabulary value"))
}

impl Graph {
    /// Writes the graph with `key`, a text of the caller's (what the graph reflects), to
    /// be compared when it is read back.
    pub fn write_snapshot(&self, w: &mut impl Write, key: &str) -> io::Result<()> {
        w.write_all(MAGIC)?;
        write_array(w, key.as_bytes())?;
        let s = &self.structure;
        write_array(w, &s.node_ids.iter().map(|n| n.0).collect::<Vec<i64>>())?;
        write_array(w, &s.node_chain.iter().map(|c| c.0).collect::<Vec<i64>>())?;
        write_array(
            w,
            &s.node_segment
                .iter()
                .map(|&g| index_of(Segment::ALL, g))
                .collect::<Vec<u8>>(),
        )?;
        let inputs: Vec<u32> = s
            .node_inputs
            .iter()
            .enumerate()
            .flat_map(|(output, ins)| ins.iter().flat_map(move |&i| [i, output as u32]))
            .collect();
        write_array(w, &inputs)?;
        let p = &self.profiles;
        write_array(w, &p.iter().map(|p| p.id.0).collect::<Vec<i64>>())?;
        write_array(w, &p.iter().map(|p| p.region.value()).collect::<Vec<u32>>())?;
        write_array(
            w,
            &p.iter()
                .map(|p| index_of(EnterpriseSize::ALL, p.size))
                .collect::<Vec<u8>>(),
        )?;
        write_array(w, &p.iter().map(|p| p.tags.bits()).collect::<Vec<u8>>())?;
        write_array(w, &p.iter().map(|p| p.employees).collect::<Vec<u32>>())?;
        // Industry codes as their digits, four bytes each, zeros when unknown.
        let mut industry = Vec::with_capacity(p.len() * 4);
        for profile in p {
            let mut digits = [0u8; 4];
            if let Some(code) = profile.industry {
                let text = code.to_string();
                digits[..text.len()].copy_from_slice(text.as_bytes());
            }
            industry.extend_from_slice(&digits);
        }
        write_array(w, &industry)?;
        write_array(w, &self.ent_units)?;
        write_array(w, &self.unit_enterprise)?;
        write_array(w, &self.unit_node)?;
        write_array(w, &self.unit_output)?;
        write_array(w, &self.unit_capacity)?;
        write_array(
            w,
            &self
                .unit_declared
                .iter()
                .map(|&d| d as u8)
                .collect::<Vec<u8>>(),
        )?;
        write_array(w, &self.rel_supplier_unit)?;
        write_array(w, &self.rel_value)?;
        write_array(w, &self.rel_slot)?;
        write_array(w, &self.slot_buyer)?;
        write_array(w, &self.slot_node)?;
        write_array(w, &self.slot_rel_start)?;
        write_array(w, &self.slot_total)?;
        write_array(w, &self.ent_slots)?;
        write_array(w, &self.slot_unit_start)?;
        write_array(w, &self.slot_units)?;
        w.write_all(MAGIC)
    }

    /// Reads a graph [`Graph::write_snapshot`] wrote, with its key; an error when the
    /// file is not one, is cut short, or does not hold together.
    pub fn read_snapshot(r: &mut impl Read) -> io::Result<(String, Graph)> {
        let mut magic = [0u8; 8];
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(invalid("not a graph snapshot of this version"));
        }
        let key =
            String::from_utf8(read_array(r)?).map_err(|_| invalid("a key that is not text"))?;
        let node_ids: Vec<i64> = read_array(r)?;
        let node_chain: Vec<i64> = read_array(r)?;
        let node_segment: Vec<u8> = read_array(r)?;
        let inputs: Vec<u32> = read_array(r)?;
        let n = node_ids.len();
        if node_chain.len() != n || node_segment.len() != n || !inputs.len().is_multiple_of(2) {
            return Err(invalid("nodes of different lengths"));
        }
        if inputs.iter().any(|&i| i as usize >= n) {
            return Err(invalid("an input link to no node"));
        }
        let mut nodes = Vec::with_capacity(n);
        let mut node_index = HashMap::with_capacity(n);
        for i in 0..n {
            nodes.push((
                NodeId(node_ids[i]),
                ChainId(node_chain[i]),
                from_index(Segment::ALL, node_segment[i])?,
            ));
            node_index.insert(NodeId(node_ids[i]), i as u32);
        }
        let pairs: Vec<(u32, u32)> = inputs.chunks_exact(2).map(|p| (p[0], p[1])).collect();
        let structure = Structure::new(nodes, node_index, &pairs);

        let ids: Vec<i64> = read_array(r)?;
        let regions: Vec<u32> = read_array(r)?;
        let sizes: Vec<u8> = read_array(r)?;
        let tags: Vec<u8> = read_array(r)?;
        let employees: Vec<u32> = read_array(r)?;
        let industry: Vec<u8> = read_array(r)?;
        let e = ids.len();
        if [regions.len(), sizes.len(), tags.len(), employees.len()]
            .iter()
            .any(|&l| l != e)
            || industry.len() != e * 4
        {
            return Err(invalid("enterprises of different lengths"));
        }
        let mut profiles = Vec::with_capacity(e);
        for i in 0..e {
            let digits = &industry[i * 4..i * 4 + 4];
            let len = digits.iter().position(|&d| d == 0).unwrap_or(4);
            profiles.push(Profile {
                id: EnterpriseId(ids[i]),
                region: RegionCode::new(regions[i]).map_err(|_| invalid("a region code"))?,
                size: from_index(EnterpriseSize::ALL, sizes[i])?,
                tags: Tags::from_bits(tags[i]),
                employees: employees[i],
                industry: if len == 0 {
                    None
                } else {
                    let text = std::str::from_utf8(&digits[..len])
                        .map_err(|_| invalid("an industry code"))?;
                    Some(text.parse().map_err(|_| invalid("an industry code"))?)
                },
            });
        }
        if profiles.windows(2).any(|w| w[0].id.0 >= w[1].id.0) {
            return Err(invalid("enterprises out of order"));
        }
        let core = Core {
            profiles,
            ent_units: read_array(r)?,
            unit_enterprise: read_array(r)?,
            unit_node: read_array(r)?,
            unit_output: read_array(r)?,
            unit_capacity: read_array(r)?,
            unit_declared: read_array::<u8>(r)?.into_iter().map(|d| d != 0).collect(),
            rel_supplier_unit: read_array(r)?,
            rel_value: read_array(r)?,
            rel_slot: read_array(r)?,
            slot_buyer: read_array(r)?,
            slot_node: read_array(r)?,
            slot_rel_start: read_array(r)?,
            slot_total: read_array(r)?,
            ent_slots: read_array(r)?,
            slot_unit_start: read_array(r)?,
            slot_units: read_array(r)?,
        };
        r.read_exact(&mut magic)?;
        if &magic != MAGIC {
            return Err(invalid("cut short"));
        }
        check(&core, n)?;
        Ok((key, assemble(structure, core)))
    }
}

/// Every length and index of a core read from a file, checked, so that no analysis can
/// index out of bounds on a damaged file.
fn check(c: &Core, nodes: usize) -> io::Result<()> {
    let (e, u, r, s) = (
        c.profiles.len(),
        c.unit_node.len(),
        c.rel_value.len(),
        c.slot_buyer.len(),
    );
    let offsets = |starts: &[u32], owners: usize, items: usize| {
        starts.len() == owners + 1
            && starts[0] == 0
            && starts[owners] as usize == items
            && starts.windows(2).all(|w| w[0] <= w[1])
    };
    let below = |values: &[u32], bound: usize| values.iter().all(|&v| (v as usize) < bound);
    let fits = offsets(&c.ent_units, e, u)
        && [
            c.unit_enterprise.len(),
            c.unit_output.len(),
            c.unit_capacity.len(),
            c.unit_declared.len(),
        ]
        .iter()
        .all(|&l| l == u)
        && below(&c.unit_enterprise, e)
        && below(&c.unit_node, nodes)
        && c.rel_supplier_unit.len() == r
        && c.rel_slot.len() == r
        && below(&c.rel_supplier_unit, u)
        && below(&c.rel_slot, s)
        && c.slot_node.len() == s
        && c.slot_total.len() == s
        && below(&c.slot_buyer, e)
        && below(&c.slot_node, nodes)
        && offsets(&c.slot_rel_start, s, r)
        && offsets(&c.ent_slots, e, s)
        && offsets(&c.slot_unit_start, s, c.slot_units.len())
        && below(&c.slot_units, u);
    if fits {
        Ok(())
    } else {
        Err(invalid("arrays that do not fit together"))
    }
}
