#!/usr/bin/env bash
# Acceptance drill (issue 10): two `tanggap serve` processes on one
# PostgreSQL, the sla-sweep job scheduled every minute, for MINUTES minutes.
# Expect exactly MINUTES runs in job_runs, split between the replicas in any
# way. CI runs the same check with a one-second schedule
# (internal/cli TestTwoServeReplicas).
#
#   bench/drills/two-replicas.sh                # 5 minutes
#   MINUTES=2 bench/drills/two-replicas.sh
#   ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres bench/drills/two-replicas.sh
set -euo pipefail

MINUTES=${MINUTES:-5}
ADMIN_URL=${ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
DB=${DB:-tanggap_drill}
DB_URL=${ADMIN_URL%/*}/$DB?sslmode=disable
cd "$(dirname "$0")/../.."
WORK=$(mktemp -d)
P1= P2=
trap 'kill $P1 $P2 2>/dev/null || true; echo "logs: $WORK"' EXIT

echo "== building"
go build -o "$WORK/tanggap" ./cmd/tanggap
psql -q "$ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
export TANGGAP_DATABASE_URL=$DB_URL TANGGAP_LOG_FORMAT=text TANGGAP_LOG_LEVEL=info
export TANGGAP_JOB_SCHEDULES="sla-sweep=* * * * *;calendar-coverage=off;retention=off"
"$WORK/tanggap" migrate up

# start at second 10 of a minute and stop at second 10, MINUTES later: the
# window holds exactly MINUTES minute boundaries
sleep $(( (70 - $(date +%-S)) % 60 ))
START=$(date -u +%Y-%m-%dT%H:%M:%SZ)
TANGGAP_REPLICA_ID=drill-1 TANGGAP_LISTEN_ADDR=127.0.0.1:18081 "$WORK/tanggap" serve >"$WORK/r1.log" 2>&1 & P1=$!
TANGGAP_REPLICA_ID=drill-2 TANGGAP_LISTEN_ADDR=127.0.0.1:18082 "$WORK/tanggap" serve >"$WORK/r2.log" 2>&1 & P2=$!
for port in 18081 18082; do
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null || { echo "replica on :$port did not start"; cat "$WORK"/r*.log; exit 1; }
done
echo "== two replicas started at $START (pids $P1, $P2); waiting $MINUTES min"
sleep $(( MINUTES * 60 - 2 ))
kill -0 $P1 $P2 || { echo "a replica died"; cat "$WORK"/r*.log; exit 1; }
kill -TERM $P1 $P2
wait $P1 $P2 || true
END=$(date -u +%Y-%m-%dT%H:%M:%SZ)

echo "== window $START .. $END"
psql -q "$DB_URL" -c "SELECT id, slot, replica, outcome, counts_json FROM job_runs WHERE job = 'sla-sweep' ORDER BY slot"
RUNS=$(psql -tA "$DB_URL" -c "SELECT count(*) FROM job_runs WHERE job = 'sla-sweep' AND outcome = 'succeeded'")
SLOTS=$(psql -tA "$DB_URL" -c "SELECT count(DISTINCT slot) FROM job_runs WHERE job = 'sla-sweep'")
psql -q "$DB_URL" -c "SELECT replica, count(*) FROM job_runs WHERE job = 'sla-sweep' GROUP BY replica ORDER BY replica"
"$WORK/tanggap" jobs 2>/dev/null
if [ "$RUNS" = "$MINUTES" ] && [ "$SLOTS" = "$MINUTES" ]; then
  echo "PASS: $RUNS runs for $MINUTES slots"
else
  echo "FAIL: $RUNS successful runs, $SLOTS slots, expected $MINUTES"; exit 1
fi
