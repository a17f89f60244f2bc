#!/usr/bin/env bash
# A bundle import at province scale on both backends (issue 20): the atlas of
# bench/postgres.sh (bench/out/postgres-sqlite-N.db, generated when missing) exported to
# a CSV folder, then imported into a new SQLite file and into a new PostgreSQL database
# (new rows by COPY), each validated and all or nothing. Wall time and peak RSS of
# chainatlas; the PostgreSQL server runs in a temporary cluster with fsync on.
#   bench/postgres-import.sh [N]   (default 1000000 enterprises; SMOKE=1: 2000)
# Results: bench/out/postgres-import.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/on-postgres.sh "$0" "$@"
n=${1:-1000000}
[ -n "${SMOKE:-}" ] && n=2000
source bench/common.sh postgres-import
url=$CHAINATLAS_TEST_POSTGRES
source_db="$out/postgres-sqlite-$n.db"
[ -f "$source_db" ] || $bin --db "$source_db" demo --scale "$n" >/dev/null 2>&1
bundle="$out/postgres-bundle-$n"
rm -rf "$bundle" "$out/postgres-imported-$n.db"*
say "## export of the $n-enterprise atlas to a CSV folder"
timed_quiet $bin --db "$source_db" export "$bundle"
say "bundle: $(du -sh "$bundle" | cut -f1)"
say "## import into a new SQLite file"
timed_quiet $bin --db "$out/postgres-imported-$n.db" import "$bundle"
say "## import into a new PostgreSQL database (fsync on)"
timed_quiet $bin --db "$url" import "$bundle"
say "rows: $(psql "$url" -Atc "SELECT (SELECT count(*) FROM enterprises) || ' enterprises, ' || (SELECT count(*) FROM supply_relations) || ' relations, ' || (SELECT count(*) FROM listings) || ' listings'")"
rm -rf "$bundle"
