#!/usr/bin/env bash
# GPU check of the example's training job through the local launcher. Run it on a machine with
# NVIDIA GPUs (from anywhere; it finds the repository itself):
#
#   bash examples/ml-pipeline/gpu-check.sh           # RIVERS_PYTHON=/path/to/python to use a venv with PyTorch
#
# Checks, each printed as PASS or FAIL (exit status 1 if any fails):
#   1. model/torch runs through the local launcher on one GPU, and the job saw it: its metadata names
#      the GPU (device name and memory, from nvidia-smi inside the job, and from PyTorch when it is
#      installed) and CUDA_VISIBLE_DEVICES held exactly the GPU the launcher reserved.
#   2. Two 1-GPU jobs on a 1-GPU machine (CUDA_VISIBLE_DEVICES limits the pool to one GPU) run one after the
#      other: their start/finish times do not overlap and the second one queued.
#   3. A request for more GPUs than the machine has is refused before anything runs (exit 2).
# Everything goes to a temporary store, removed at the end (KEEP=1 keeps it).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
ASSETS=(node "$ROOT/packages/cli/bin/assets.mjs")
PY=${RIVERS_PYTHON:-python3}
WORK=$(mktemp -d "$HERE/.gpu-check.XXXXXX")
cleanup() { [ "${KEEP:-}" = 1 ] && echo "kept $WORK" || rm -rf "$WORK"; }
trap cleanup EXIT
failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
# json FILE EXPR: evaluates a JavaScript expression over the JSON document `d` in FILE.
json() { node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = (0, eval)("(d) => " + process.argv[2])(d); console.log(typeof v === "string" ? v : JSON.stringify(v))' "$1" "$2"; }

# 0. The machine.
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "FAIL  nvidia-smi does not work here: this check needs a machine with NVIDIA GPUs"; exit 1
fi
echo "GPUs:"; nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader | sed 's/^/  /'
FIRST=$(nvidia-smi --query-gpu=index --format=csv,noheader | head -1 | tr -d ' ')
COUNT=$(nvidia-smi --query-gpu=index --format=csv,noheader | wc -l)
if "$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then TORCH=1; echo "PyTorch with CUDA: yes ($PY)"; else TORCH=0; echo "PyTorch with CUDA: no ($PY): the job trains on the CPU and reports the GPU it was given through nvidia-smi"; fi
unset CUDA_VISIBLE_DEVICES RIVERS_LAUNCHER

# 1. One training job on one GPU.
export RIVERS_HOME="$WORK/store-1" TRAIN_GPUS=1
if "${ASSETS[@]}" materialize +model/torch --project "$HERE/rivers.config.ts" > "$WORK/run-1.log" 2>&1; then
  "${ASSETS[@]}" show model/torch --json --project "$HERE/rivers.config.ts" > "$WORK/show-1.json"
  meta() { json "$WORK/show-1.json" "d.history[0].metadata.$1"; }
  echo "  job metadata: $(meta 'job') gpus_seen=$(meta 'gpus_seen') framework=$(meta 'framework') device=$(meta 'device')"
  reserved=$(meta 'job.gpus.map((g) => g.index).join(",")')
  visible=$(meta 'cuda_visible_devices')
  seen_name=$(json "$WORK/show-1.json" 'd.history[0].metadata.gpus_seen?.[0]?.name ?? ""')
  seen_mem=$(json "$WORK/show-1.json" 'd.history[0].metadata.gpus_seen?.[0]?.memory_mib ?? 0')
  if [ -n "$reserved" ] && [ "$visible" = "$reserved" ] && [ "${visible//,/}" = "$visible" ]; then pass "the launcher reserved GPU $reserved and the job saw exactly CUDA_VISIBLE_DEVICES=$visible"; else fail "reserved GPU '$reserved' but the job saw CUDA_VISIBLE_DEVICES='$visible'"; fi
  if [ -n "$seen_name" ] && [ "$seen_mem" -gt 0 ]; then pass "the job saw its GPU: $seen_name, $seen_mem MiB (metadata gpus_seen)"; else fail "the job's metadata names no GPU (gpus_seen=$(meta 'gpus_seen'))"; fi
  if [ "$TORCH" = 1 ]; then
    dev=$(json "$WORK/show-1.json" 'd.history[0].metadata.device_name ?? ""')
    devmem=$(json "$WORK/show-1.json" 'd.history[0].metadata.device_memory_mib ?? 0')
    if [ "$(meta 'device')" = "cuda:0" ] && [ -n "$dev" ] && [ "$devmem" -gt 0 ]; then pass "PyTorch trained on cuda:0 = $dev ($devmem MiB)"; else fail "PyTorch did not train on the GPU (device=$(meta 'device'), device_name='$dev')"; fi
  fi
else
  fail "materialize +model/torch failed:"; sed 's/^/    /' "$WORK/run-1.log"
fi

# 2. Two 1-GPU jobs with one GPU: one after the other.
mkdir -p "$WORK/two"
cat > "$WORK/two/rivers.config.ts" <<TS
import { asset, defineProject } from '@rivers-orchestrator/rivers'
import { features } from '$HERE/rivers.config.ts'
// The training job, then 3 s more on the GPU: long enough that running both at once would show.
const train = (key: string) => asset({
  key,
  deps: { features },
  command: ['/bin/sh', '-c', '"\$0" train_torch.py && sleep 3', '$PY'],
  cwd: '$HERE',
  resources: { gpus: 1 },
  launcher: 'local',
})
export default defineProject({ assets: [train('gpu/a'), train('gpu/b')], concurrency: 2 })
TS
# The launcher hands out only the GPUs its own process may see: one.
export RIVERS_HOME="$WORK/store-2" CUDA_VISIBLE_DEVICES="$FIRST"
if "${ASSETS[@]}" materialize --project "$WORK/two/rivers.config.ts" > "$WORK/run-2.log" 2>&1; then
  for k in a b; do "${ASSETS[@]}" show "gpu/$k" --json --project "$WORK/two/rivers.config.ts" > "$WORK/show-$k.json"; done
  span() { json "$WORK/show-$1.json" '[Date.parse(d.history[0].metadata.job.startedAt), Date.parse(d.history[0].metadata.job.finishedAt), d.history[0].metadata.job.queuedMs, d.history[0].metadata.cuda_visible_devices].join(" ")'; }
  read -r a0 a1 aq av <<< "$(span a)"; read -r b0 b1 bq bv <<< "$(span b)"
  echo "  gpu/a: GPU $av, $(( a1 - a0 )) ms, queued $aq ms;  gpu/b: GPU $bv, $(( b1 - b0 )) ms, queued $bq ms"
  if [ "$a1" -le "$b0" ] || [ "$b1" -le "$a0" ]; then pass "the two 1-GPU jobs ran one after the other (no overlap)"; else fail "the two 1-GPU jobs overlapped: a=[$a0,$a1] b=[$b0,$b1]"; fi
  if [ "$av" = "$FIRST" ] && [ "$bv" = "$FIRST" ]; then pass "both used GPU $FIRST, the only one in the pool"; else fail "GPUs seen: a=$av b=$bv (expected $FIRST)"; fi
  if [ "$(( aq > bq ? aq : bq ))" -ge 2000 ]; then pass "the second job queued for the GPU ($(( aq > bq ? aq : bq )) ms)"; else fail "neither job queued (queued a=$aq b=$bq ms)"; fi
  grep -q 'waiting for resources' "$WORK/run-2.log" && pass "the run log says it waited for the GPU" || fail "no 'waiting for resources' line in the run log"
else
  fail "materialize of the two-job project failed:"; sed 's/^/    /' "$WORK/run-2.log"
fi
unset CUDA_VISIBLE_DEVICES

# 3. Too many GPUs: refused at once.
export RIVERS_HOME="$WORK/store-3" TRAIN_GPUS=$((COUNT + 1))
set +e
"${ASSETS[@]}" materialize +model/torch --project "$HERE/rivers.config.ts" > "$WORK/run-3.log" 2>&1
code=$?
set -e
if [ "$code" = 2 ] && grep -q "asks for $((COUNT + 1)) GPUs, but this machine has only $COUNT" "$WORK/run-3.log"; then pass "asking for $((COUNT + 1)) GPUs is refused before the run (exit 2)"; else fail "asking for $((COUNT + 1)) GPUs gave exit $code:"; sed 's/^/    /' "$WORK/run-3.log"; fi

echo
if [ "$failures" = 0 ]; then echo "gpu-check: all checks passed"; else echo "gpu-check: $failures check(s) failed"; exit 1; fi
