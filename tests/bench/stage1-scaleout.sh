#!/usr/bin/env bash
# Stage-1 scale-out over simulated generator silos: prompts per second of stage 1 with 1, 2, 4, 8 and 16
# generator silo processes (Silo:Simulation: each answers well-formed samples after the time a device of
# TOKENS_PER_SECOND would take, using no CPU), one real trainer silo and Azurite, all separate processes on
# 127.0.0.1. Everything but the sampling is real: the pool, PromptGrain reads and writes in Azure Table/Blob,
# retries. Then the same with zero latency (the control plane's own ceiling, with where a unit's time goes),
# and a generator silo added mid-run (how long until it takes work).
#
# Usage: tests/bench/stage1-scaleout.sh            COUNTS="1 2 4" tests/bench/stage1-scaleout.sh
#   COUNTS             generator silo counts (default "1 2 4 8 16")
#   TOKENS_PER_SECOND  the simulated device's speed over a batch (default 2560: one 8-prompt unit, 2,560 tokens, per second)
#   PROMPTS            stage-1 prompts (default 1024: 128 units of 8 prompts × 8 samples × 40 tokens; at most 1500, the tiny task's training split)
#   REFERENCE          a tiny reference model directory to reuse (default: train one in a warm-up run)
#   JOIN=0             skip the mid-run join measurement
# Needs Azurite on its default ports 10000-10002 free (./test.sh installs it into .tools/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
counts=(${COUNTS:-1 2 4 8 16})
tokens_per_second=${TOKENS_PER_SECOND:-2560}
prompts=${PROMPTS:-1024}
./apo doctor > /dev/null                      # builds the CLI
apo=(dotnet "$root/src/Apo.Cli/bin/Release/net10.0/apo.dll")
azurite="$root/.tools/azurite/node_modules/.bin/azurite"
[ -x "$azurite" ] || { echo "run ./test.sh once first: it installs Azurite into .tools/" >&2; exit 1; }

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

"$azurite" --silent --location "$work/azurite" --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 > "$work/azurite.log" 2>&1 &
pids+=($!)
sleep 2
export APO_STORAGE_CONNECTION="UseDevelopmentStorage=true"
export APO_Silo__AdvertisedIP=127.0.0.1 APO_Silo__TorchThreads=1
export APO_Silo__Weights__CacheDirectory="$work/weight-cache"
# The cluster configs use mutual TLS and confine runs to a runs root: a development CA, and this folder.
"${apo[@]}" certs --out "$work/tls" > /dev/null
export APO_Silo__Tls__Directory="$work/tls" APO_Client__Tls__Directory="$work/tls" APO_Silo__RunsRoot="$work"
# 8-prompt work units (generationBatchSize 16 / 8 samples × 4), stage 2 cut to one iteration: only stage 1 is measured.
cat > "$work/bench.json" <<JSON
{ "generationBatchSize": 16, "stageOne": { "prompts": $prompts }, "stageTwo": { "iterations": 1, "checkpointEvery": 1 },
  "evaluation": { "heldOutPrompts": 8 } }
JSON

port=41000
silo() {  # silo <config> <log> [simulated tokens/s]  (ports are taken here: a background command's expansions run in its own subshell)
  local silo_port=$((port++)) gateway_port=$((port++)) health_port=$((port++))
  export APO_Silo__Health__Port=$health_port
  if [ $# -ge 3 ]; then
    APO_Silo__Simulation__Enabled=true APO_Silo__Simulation__TokensPerSecond="$3" \
      "${apo[@]}" silo --config "$root/silo-config/$1" --silo-port "$silo_port" --gateway-port "$gateway_port" > "$2" 2>&1 &
  else
    "${apo[@]}" silo --config "$root/silo-config/$1" --silo-port "$silo_port" --gateway-port "$gateway_port" > "$2" 2>&1 &
  fi
  pids+=($!)
}
wait_started() { for log in "$@"; do until grep -qs "apo silo: role" "$log"; do sleep 0.2; done; done; }
stop_silos() { for p in "${pids[@]:1}"; do kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=("${pids[0]}"); }
cluster() {  # a fresh service and cluster id per measurement: nothing carries over
  local id="bench$1$$"
  export APO_Silo__ServiceId=$id APO_Silo__ClusterId=$id APO_Client__ServiceId=$id APO_Client__ClusterId=$id
}
run_client() {  # run_client <out> <log>; the reference is trained once and copied, so every run samples from the same files
  local out="$1"
  if [ -d "$work/reference" ]; then mkdir -p "$out" && cp -r "$work/reference" "$out/reference"; fi
  "${apo[@]}" run --cluster "$root/silo-config/cluster-client.json" --run-id bench --preset tiny \
    --config "$work/bench.json" --out "$out" > "$2" 2>&1 || { echo "apo run --cluster failed:" >&2; tail -5 "$2" >&2; exit 1; }
  [ -d "$work/reference" ] || cp -r "$out/reference" "$work/reference"
}
rate() {  # rate <summary.json> <label>
  python3 - "$1" "$2" <<'PY' | tee -a "$work/results.txt"
import json, sys
s = json.load(open(sys.argv[1]))
prompts, seconds = s["stage1"]["prompts"], s["seconds"]["stage1"]
print(f"{sys.argv[2]} prompts={prompts} stage1_seconds={seconds:.1f} prompts_per_second={prompts / seconds:.2f}")
PY
}
where_time_goes() {  # medians of the generators' per-unit reads / device / records times
  cat "$@" | python3 -c '
import re, statistics, sys
rows = [tuple(float(x) for x in m.groups()) for m in (re.search(r"reads (\d+) ms, device (\d+) ms, records (\d+) ms", l) for l in sys.stdin) if m]
if rows:
    med = [statistics.median(c) for c in zip(*rows)]
    print(f"  per unit (median of {len(rows)}): reads {med[0]:.0f} ms, device {med[1]:.0f} ms (waiting for the device included), records {med[2]:.0f} ms")'
}

# One real run first: the client trains the tiny reference (SFT) that every later run copies.
if [ -n "${REFERENCE:-}" ]; then
  cp -r "$REFERENCE" "$work/reference"
else
  cluster warmup
  silo cluster-trainer.json "$work/trainer-warmup.log"; silo cluster-generator.json "$work/generator-warmup.log" "$tokens_per_second"
  wait_started "$work/trainer-warmup.log" "$work/generator-warmup.log"
  run_client "$work/run-warmup" "$work/client-warmup.log"
  stop_silos
fi

measure() {  # measure <label> <generators> <tokens/s>
  local label=$1 n=$2 speed=$3
  cluster "$label"
  local logs=()
  silo cluster-trainer.json "$work/trainer-$label.log"
  for g in $(seq "$n"); do logs+=("$work/generator-$label-$g.log"); silo cluster-generator.json "${logs[-1]}" "$speed"; done
  wait_started "$work/trainer-$label.log" "${logs[@]}"
  sleep 3  # membership: every generator Active before the run starts
  run_client "$work/run-$label" "$work/client-$label.log"
  rate "$work/run-$label/summary.json" "generators=$n tokens_per_second=$speed"
  where_time_goes "${logs[@]}" | tee -a "$work/results.txt"
  stop_silos
}

for n in "${counts[@]}"; do measure "sim$n" "$n" "$tokens_per_second"; done
# Zero latency: what the control plane alone sustains.
measure "ceiling1" 1 0
measure "ceiling${counts[-1]}" "${counts[-1]}" 0

# A generator silo added mid-run: seconds from its start line to its first stage-1 unit.
if [ "${JOIN:-1}" != 0 ]; then
cluster join
silo cluster-trainer.json "$work/trainer-join.log"; silo cluster-generator.json "$work/generator-join-1.log" "$tokens_per_second"
wait_started "$work/trainer-join.log" "$work/generator-join-1.log"
run_client "$work/run-join" "$work/client-join.log" &
client=$!
until grep -qs "stage-1 work unit" "$work/generator-join-1.log"; do sleep 0.2; done
sleep 5
silo cluster-generator.json "$work/generator-join-2.log" "$tokens_per_second"
wait_started "$work/generator-join-2.log"; joined=$(date +%s.%N)
until grep -qs "stage-1 work unit" "$work/generator-join-2.log"; do sleep 0.1; done; working=$(date +%s.%N)
wait "$client"
python3 -c "print(f'a generator silo added mid-run took work {$working - $joined:.1f} s after it started')" | tee -a "$work/results.txt"
stop_silos
fi

# What the silos cost doing nothing: CPU cores used by a trainer and the largest count of idle generator silos.
cluster idle
silo cluster-trainer.json "$work/trainer-idle.log"
idle_logs=()
for g in $(seq "${counts[-1]}"); do idle_logs+=("$work/generator-idle-$g.log"); silo cluster-generator.json "${idle_logs[-1]}" "$tokens_per_second"; done
wait_started "$work/trainer-idle.log" "${idle_logs[@]}"
sleep 30  # past start-up (JIT, joining)
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
before=$(busy); sleep 20; after=$(busy)
python3 -c "print(f'idle: a trainer and ${counts[-1]} generator silos use {($after - $before) / 100 / 20:.2f} of this machine\'s $(nproc) cores')" | tee -a "$work/results.txt"
stop_silos

python3 - "$work/results.txt" <<'PY'
import re, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("generators=")]
rows = [(int(re.search(r"generators=(\d+)", l).group(1)), int(re.search(r"tokens_per_second=(\d+)", l).group(1)),
         float(re.search(r"prompts_per_second=([\d.]+)", l).group(1))) for l in lines]
sim = [(n, r) for n, speed, r in rows if speed > 0]
base = dict(sim).get(1)
if base:
    for n, r in sim:
        print(f"{n:>2} generator silos: {r:7.2f} prompts/s = {r / base:5.2f}x one silo, {r / (base * n):4.2f} of linear")
PY
