# Sourced first by the PostgreSQL benchmarks: unless a server is given
# (CHAINATLAS_TEST_POSTGRES), runs the calling script again beside a temporary one
# (scripts/with-postgres) with the settings every PostgreSQL benchmark uses.
#   source bench/on-postgres.sh "$0" "$@"
if [ -z "${CHAINATLAS_TEST_POSTGRES:-}" ]; then
  export CHAINATLAS_PG_SETTINGS="-o fsync=on -o shared_buffers=4GB -o work_mem=64MB -o maintenance_work_mem=1GB -o max_wal_size=8GB -o checkpoint_timeout=30min -o synchronous_commit=on"
  exec scripts/with-postgres "$@"
fi
