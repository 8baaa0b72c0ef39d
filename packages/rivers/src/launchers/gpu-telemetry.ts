/**
 * GPU telemetry of a job: where the job runs (this machine, a Slurm node), a small sampler started
 * beside the command asks `nvidia-smi` every few seconds for the utilisation and memory of the job's
 * GPUs and appends them to the job's messages file as metrics: `gpu_util` (mean utilisation of the
 * job's GPUs, percent) and `gpu_mem_mb` (memory used on them, summed, MiB), step = sample number
 * from 0. The engine records them with the asset's other metrics (`assets runs --metric gpu_util`).
 *
 * It runs in the job's shell (the local launcher's wrapper, the Slurm batch script), so it samples
 * on the node that holds the GPUs; it does nothing without `nvidia-smi` on PATH, without GPUs
 * (`SLURM_JOB_GPUS`, else `CUDA_VISIBLE_DEVICES`), or with `RIVERS_GPU_SAMPLE_SECONDS=0`. The sampler
 * is stopped (with its `sleep`) as soon as the command ends.
 */

/** Seconds between samples (default 5); `0` turns sampling off. */
export const GPU_SAMPLE_ENV = 'RIVERS_GPU_SAMPLE_SECONDS'

const METRIC_AWK = [
  "awk -F', *' -v step=\"$rivers_step\" '",
  '$1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ { u += $1; m += $2; n++ }',
  'END { if (n > 0) printf "{\\"type\\":\\"metric\\",\\"name\\":\\"gpu_util\\",\\"value\\":%g,\\"step\\":%d}\\n{\\"type\\":\\"metric\\",\\"name\\":\\"gpu_mem_mb\\",\\"value\\":%g,\\"step\\":%d}\\n", u / n, step, m, step }',
  "'",
].join(' ')

/**
 * Shell lines (POSIX sh) that start the sampler in the background, before the command; the command's
 * exit status must be taken before `gpuTelemetryStop()`.
 *
 * @example
 * const script = [...gpuTelemetryStart(), '"$@"', 'code=$?', ...gpuTelemetryStop(), 'exit "$code"'].join('\n')
 */
export function gpuTelemetryStart(): string[] {
  return [
    'rivers_sampler=',
    `rivers_every=\${${GPU_SAMPLE_ENV}:-5}`,
    'rivers_gpus=${SLURM_JOB_GPUS:-${CUDA_VISIBLE_DEVICES:-}}',
    'if [ -n "${RIVERS_MESSAGES:-}" ] && [ -n "$rivers_gpus" ] && [ "$rivers_gpus" != "-1" ] && [ "$rivers_every" != 0 ] && command -v nvidia-smi >/dev/null 2>&1; then',
    '  (',
    '    trap \'kill "$rivers_sleep" 2>/dev/null; exit 0\' TERM',
    '    rivers_step=0',
    '    while :; do',
    `      nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits -i "$rivers_gpus" 2>/dev/null | ${METRIC_AWK} >> "$RIVERS_MESSAGES"`,
    '      rivers_step=$((rivers_step + 1))',
    '      sleep "$rivers_every" & rivers_sleep=$!',
    '      wait "$rivers_sleep"',
    '    done',
    '  ) &',
    '  rivers_sampler=$!',
    'fi',
  ]
}

/**
 * Shell lines that stop the sampler (and the `sleep` it waits on), after the command.
 *
 * @example
 * gpuTelemetryStop() // ['[ -n "$rivers_sampler" ] && { kill "$rivers_sampler" 2>/dev/null; wait "$rivers_sampler" 2>/dev/null; }']
 */
export function gpuTelemetryStop(): string[] {
  return ['[ -n "$rivers_sampler" ] && { kill "$rivers_sampler" 2>/dev/null; wait "$rivers_sampler" 2>/dev/null; }']
}
