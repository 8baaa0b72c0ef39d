/**
 * Reading what Slurm prints: `scontrol show job -o`, `sacct -P`, `sinfo -o`, Slurm times, and the
 * mapping of Slurm job states to Rivers' states.
 */
import type { JobState } from './types.js'

/**
 * Rivers' state for a Slurm job state (`JobState`/`State`; `CANCELLED by 0` reads as `CANCELLED`).
 *
 * @example
 * mapSlurmState('OUT_OF_MEMORY') // 'oom'
 * mapSlurmState('COMPLETING')    // 'running'
 */
export function mapSlurmState(state: string): JobState {
  const s = state.trim().split(/[\s+]/)[0]!.toUpperCase()
  switch (s) {
    case 'PENDING':
    case 'CONFIGURING':
    case 'REQUEUED':
    case 'REQUEUE_HOLD':
    case 'REQUEUE_FED':
    case 'RESV_DEL_HOLD':
      return 'pending'
    case 'RUNNING':
    case 'COMPLETING':
    case 'SIGNALING':
    case 'STAGE_OUT':
    case 'RESIZING':
    case 'SUSPENDED':
    case 'STOPPED':
      return 'running'
    case 'COMPLETED':
      return 'succeeded'
    case 'CANCELLED':
    case 'REVOKED':
      return 'cancelled'
    case 'TIMEOUT':
    case 'DEADLINE':
      return 'timeout'
    case 'OUT_OF_MEMORY':
      return 'oom'
    case 'NODE_FAIL':
    case 'BOOT_FAIL':
      return 'node_fail'
    case 'PREEMPTED':
      return 'preempted'
    default: // FAILED, SPECIAL_EXIT, and anything new
      return 'failed'
  }
}

/**
 * Pending reasons that never resolve by waiting: the job asks for more than its partition allows.
 *
 * @example
 * NEVER_STARTS.has('PartitionTimeLimit') // true
 */
export const NEVER_STARTS: ReadonlySet<string> = new Set([
  'PartitionTimeLimit',
  'PartitionNodeLimit',
  'BadConstraints',
  'InvalidAccount',
  'InvalidQOS',
  'QOSMaxWallDurationPerJobLimit',
  'QOSMaxGRESPerJob',
  'QOSMaxCpuPerJobLimit',
  'QOSMaxNodePerJobLimit',
  'QOSMaxMemoryPerJob',
])

/**
 * Fields of `scontrol show job -o` (one line of `Key=Value` pairs; values may contain spaces).
 *
 * @example
 * parseScontrol('JobId=42 JobName=rivers:model JobState=RUNNING Reason=None ExitCode=0:0')['JobState'] // 'RUNNING'
 */
export function parseScontrol(text: string): Record<string, string> {
  const fields: Record<string, string> = {}
  const line = text.trim().split('\n')[0] ?? ''
  const re = /(?:^|\s)([A-Za-z][A-Za-z0-9_/:]*)=/g
  const starts: { key: string; at: number; valueAt: number }[] = []
  for (let m = re.exec(line); m !== null; m = re.exec(line))
    starts.push({ key: m[1]!, at: m.index, valueAt: m.index + m[0].length })
  starts.forEach((s, i) => {
    fields[s.key] ??= line.slice(s.valueAt, i + 1 < starts.length ? starts[i + 1]!.at : line.length).trim()
  })
  return fields
}

/**
 * An `ExitCode=code:signal` as one exit code (128 + signal when a signal ended the job). Slurm's own
 * markers past the real signals (`0:125` on OUT_OF_MEMORY) are no exit code: undefined.
 *
 * @example
 * parseExitCode('3:0')  // 3
 * parseExitCode('0:15') // 143
 * parseExitCode('0:125') // undefined
 */
export function parseExitCode(text: string | undefined): number | undefined {
  const m = /^(\d+):(\d+)$/.exec(text?.trim() ?? '')
  if (m === null) return undefined
  const code = Number(m[1])
  const signal = Number(m[2])
  if (code === 0 && signal > 64) return undefined
  return signal > 0 && code === 0 ? 128 + signal : code
}

/**
 * A Slurm timestamp (`2026-11-26T13:28:53`, local time) as a Date; undefined for `Unknown`, `None`, `N/A`.
 *
 * @example
 * parseSlurmDate('Unknown') // undefined
 */
export function parseSlurmDate(text: string | undefined): Date | undefined {
  if (text === undefined || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text.trim())) return undefined
  const d = new Date(text.trim())
  return Number.isNaN(d.getTime()) ? undefined : d
}

/**
 * A Slurm duration (`MM`, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM`, `D-HH:MM:SS`, `infinite`) in ms.
 *
 * @example
 * parseSlurmDuration('1:00:00')   // 3600000
 * parseSlurmDuration('2-00:00:00') // 172800000
 * parseSlurmDuration('infinite')  // Infinity
 */
export function parseSlurmDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase()
  if (t === 'infinite' || t === 'unlimited') return Infinity
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t)
  if (m === null) return undefined
  const [, d, a, b, c] = m
  let seconds: number
  if (d !== undefined) seconds = Number(d) * 86400 + Number(a) * 3600 + Number(b ?? 0) * 60 + Number(c ?? 0)
  else if (c !== undefined) seconds = Number(a) * 3600 + Number(b) * 60 + Number(c)
  else if (b !== undefined) seconds = Number(a) * 60 + Number(b)
  else seconds = Number(a) * 60
  return seconds * 1000
}

/**
 * One node of `sinfo -h -N -o '%N|%c|%m|%G|%P|%l|%t'`, with its GPUs by type.
 *
 * @example
 * const n: SinfoNode = { name: 'n1', cpus: 4, memoryMiB: 4000, gpus: { fake: 2 }, partition: 'debug', isDefault: true, timeLimitMs: 3600000, state: 'idle' }
 */
export interface SinfoNode {
  name: string
  cpus: number
  memoryMiB: number
  /** GPUs by type (`''` for GPUs configured without a type). */
  gpus: Record<string, number>
  partition: string
  isDefault: boolean
  timeLimitMs: number
  state: string
}

/** The `sinfo` format `parseSinfo` reads. */
export const SINFO_FORMAT = '%N|%c|%m|%G|%P|%l|%t'

/**
 * Parses `sinfo -h -N -o '%N|%c|%m|%G|%P|%l|%t'` (one line per node and partition).
 *
 * @example
 * parseSinfo('n1|4|4000|gpu:fake:2|debug*|1:00:00|idle')[0]!.gpus // { fake: 2 }
 */
export function parseSinfo(text: string): SinfoNode[] {
  const nodes: SinfoNode[] = []
  for (const line of text.split('\n')) {
    const cols = line.trim().split('|')
    if (cols.length < 7) continue
    const [name, cpus, mem, gres, partition, limit, state] = cols as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    nodes.push({
      name,
      cpus: Number.parseInt(cpus, 10) || 0,
      memoryMiB: Number.parseInt(mem, 10) || 0,
      gpus: parseGres(gres),
      partition: partition.replace(/\*$/, ''),
      isDefault: partition.endsWith('*'),
      timeLimitMs: parseSlurmDuration(limit) ?? Infinity,
      state: state.replace(/[*~#!%$@^-]+$/, ''),
    })
  }
  return nodes
}

/**
 * GPUs of a GRES string by type: `gpu:a100:4(S:0-1),gpu:v100:2` -> `{ a100: 4, v100: 2 }`; `gpu:2` -> `{ '': 2 }`.
 *
 * @example
 * parseGres('gpu:fake:2') // { fake: 2 }
 */
export function parseGres(text: string): Record<string, number> {
  const out: Record<string, number> = {}
  if (text === '(null)' || text.trim() === '') return out
  for (const item of text.split(/,(?![^(]*\))/)) {
    const parts = item.replace(/\(.*\)$/, '').split(':')
    if (parts[0] !== 'gpu') continue
    const count = Number.parseInt(parts[parts.length - 1]!, 10)
    if (!Number.isFinite(count)) continue
    const type = parts.length >= 3 ? parts[1]! : ''
    out[type] = (out[type] ?? 0) + count
  }
  return out
}
