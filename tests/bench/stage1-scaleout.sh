#!/usr/bin/env bash
# Stage-1 scale-out benchmark: prompts per second of stage 1 with 1 and with 2 generator silos
# (one torch thread each), a trainer silo, and Azurite — all separate processes on 127.0.0.1.
# Usage: tests/bench/stage1-scaleout.sh   (prints one line per silo count and the ratio)
# Needs Azurite on its default ports 10000-10002 free (./test.sh installs it into .tools/).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
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
# Weight versions go through Azure Blob (the cluster configs' default), cached under the work folder.
export APO_Silo__Weights__CacheDirectory="$work/weight-cache"
# Stage 2 is cut to one iteration: only stage 1 is measured.
echo '{ "stageTwo": { "iterations": 1, "checkpointEvery": 1 } }' > "$work/bench.json"

port=41000
silo() {  # silo <config> <log>  (ports are taken here: a background command's expansions run in its own subshell)
  local silo_port=$((port++)) gateway_port=$((port++))
  "${apo[@]}" silo --config "$root/silo-config/$1" --silo-port "$silo_port" --gateway-port "$gateway_port" \
    --generators "$generators" > "$2" 2>&1 &
  pids+=($!)
}

for generators in 1 2; do
  cluster="bench$generators$$"
  export APO_Silo__ServiceId=$cluster APO_Silo__ClusterId=$cluster APO_Client__ServiceId=$cluster APO_Client__ClusterId=$cluster
  logs=("$work/trainer-$generators.log")
  for g in $(seq "$generators"); do logs+=("$work/generator-$generators-$g.log"); done
  silo cluster-trainer.json "${logs[0]}"
  for log in "${logs[@]:1}"; do silo cluster-generator.json "$log"; done
  for log in "${logs[@]}"; do
    until grep -qs "apo silo: role" "$log"; do sleep 0.5; done
  done
  out="$work/run-$generators"
  # The reference policy is trained once and reused, so both runs sample from the same model.
  [ -d "$work/run-1/reference" ] && mkdir -p "$out" && cp -r "$work/run-1/reference" "$out/reference"
  "${apo[@]}" run --cluster "$root/silo-config/cluster-client.json" --run-id bench --preset tiny \
    --config "$work/bench.json" --out "$out" > "$work/client-$generators.log" 2>&1
  python3 - "$out/summary.json" "$generators" <<'PY' | tee -a "$work/results.txt"
import json, sys
s = json.load(open(sys.argv[1]))
prompts, seconds = s["stage1"]["prompts"], s["seconds"]["stage1"]
print(f"generators={sys.argv[2]} prompts={prompts} stage1_seconds={seconds:.1f} prompts_per_second={prompts / seconds:.2f}")
PY
  for p in "${pids[@]:1}"; do kill -9 "$p" 2>/dev/null || true; done
  pids=("${pids[0]}")
done
python3 - "$work/results.txt" <<'PY'
import sys, re
rates = [float(re.search(r"prompts_per_second=([\d.]+)", l).group(1)) for l in open(sys.argv[1])]
print(f"speed-up 2 vs 1 generator silos: {rates[1] / rates[0]:.2f}x")
PY
