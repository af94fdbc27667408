#!/bin/bash
# CPU of workerd's main thread (the Durable Object, D1 and R2 all run on it locally) and of the
# vitest process (the sandbox) during `npm run bench -- ingest`, per run: the figure that a loaded
# machine moves least (wall times there move 2x with other people's work).
#   bench/ingest-cpu.sh /tmp/ingest.log    (then python3 bench/ingest-cpu.py /tmp/ingest.log)
LOG=$1
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
(while true; do
  # This bench's vitest and the workerd it started (other people's tests may run their own).
  vt=$(pgrep -f "^node $ROOT/node_modules/.bin/vitest run --project bench bench/ingest.bench.test.ts" | head -1)
  pid=$([ -n "$vt" ] && pgrep -P "$vt" -f "bin/workerd serve" | head -1)
  [ -z "$pid" ] && [ -n "$vt" ] && pid=$(pgrep -f "$ROOT/node_modules/@cloudflare/workerd-linux-64/bin/workerd serve" | head -1)
  if [ -n "$pid" ]; then
    main=$(awk '{print $14+$15}' "/proc/$pid/task/$pid/stat" 2>/dev/null)
    vc=$(awk '{print $14+$15}' "/proc/$vt/stat" 2>/dev/null)
    echo "$(date +%T.%N | cut -c1-10) SAMPLE workerd_main=$main vitest=$vc"
  fi
  sleep 1
done) >"$LOG.samples" 2>&1 &
SAMPLER=$!
flock /tmp/heavy.lock bash -c "uptime; npm run bench -- ingest 2>&1; uptime" |
  while IFS= read -r line; do echo "$(date +%T.%N | cut -c1-10) $line"; done >"$LOG"
kill $SAMPLER
