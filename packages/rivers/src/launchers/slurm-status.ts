/**
 * A Slurm job's status as Rivers reports it, from `scontrol show job -o` while slurmctld knows the
 * job, or from accounting (`sacct --parsable2`) once it has forgotten it (after `MinJobAge`): the
 * state, the exit code, times, nodes, the allocated TRES (CPUs, memory, GPUs), and a reason that
 * says what to do for the states that need it (out of memory: the memory the job got and the fix).
 */
import { mapSlurmState, NEVER_STARTS, parseExitCode, parseSlurmDate } from './slurm-parse.js'
import type { JobStatus } from './types.js'

/**
 * What the Slurm launcher reads of a job, by either source (`scontrol` field or `sacct` column).
 *
 * @example
 * const row: SlurmJobFields = { state: 'OUT_OF_MEMORY', exitCode: '0:125', tres: 'cpu=1,mem=100M,node=1' }
 */
export interface SlurmJobFields {
  /** `JobState` / `State` (`CANCELLED by 0`, `COMPLETED+` are fine). */
  state: string
  /** `ExitCode`: `code:signal`. */
  exitCode?: string | undefined
  reason?: string | undefined
  start?: string | undefined
  end?: string | undefined
  nodes?: string | undefined
  /** `TRES` (scontrol) or `AllocTRES` (sacct): `cpu=1,mem=100M,node=1,billing=1,gres/gpu=1`. */
  tres?: string | undefined
}

/** The `sacct --format` the launcher asks for (with `--parsable2`: `|`-separated, never truncated). */
export const SACCT_FORMAT = 'JobID,State,ExitCode,Reason,Start,End,NodeList,AllocTRES'

/**
 * Rows of `sacct -X --noheader --parsable2 --format JobID,State,ExitCode,Reason,Start,End,NodeList,AllocTRES`.
 *
 * @example
 * parseSacct('42|OUT_OF_MEMORY|0:125|None|2026-12-06T09:09:15|2026-12-06T09:09:16|n1|billing=1,cpu=1,mem=100M,node=1\n')[0]!.state // 'OUT_OF_MEMORY'
 */
export function parseSacct(text: string): (SlurmJobFields & { jobId: string })[] {
  const rows: (SlurmJobFields & { jobId: string })[] = []
  for (const line of text.split('\n')) {
    const cols = line.trim().split('|')
    if (cols.length < 8 || cols[0] === '') continue
    const [jobId, state, exitCode, reason, start, end, nodes, tres] = cols as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    rows.push({ jobId, state, exitCode, reason, start, end, nodes, tres })
  }
  return rows
}

/**
 * A TRES string as a map: `cpu=1,mem=100M,gres/gpu=1` -> `{ cpu: '1', mem: '100M', 'gres/gpu': '1' }`.
 *
 * @example
 * parseTres('billing=1,cpu=1,gres/gpu=2,mem=1000M,node=1')['gres/gpu'] // '2'
 */
export function parseTres(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of (text ?? '').split(',')) {
    const at = item.indexOf('=')
    if (at > 0) out[item.slice(0, at).trim()] = item.slice(at + 1).trim()
  }
  return out
}

/**
 * Rivers' status of a Slurm job from its fields. A job that ended OUT_OF_MEMORY gets a reason that
 * names the memory Slurm gave it and the fix; PENDING reasons that never resolve set `neverStarts`.
 *
 * @example
 * slurmStatus({ state: 'OUT_OF_MEMORY', exitCode: '0:125', tres: 'cpu=1,mem=100M,node=1' }).reason
 * // 'OUT_OF_MEMORY: the job used more memory than Slurm gave it (mem=100M); ask for more with resources.memory'
 */
export function slurmStatus(f: SlurmJobFields): JobStatus {
  const state = mapSlurmState(f.state)
  const s: JobStatus = { state }
  const why = f.reason === undefined || f.reason === 'None' || f.reason === '' ? undefined : f.reason
  const native = f.state.trim().split(/\s/)[0]!
  if (state === 'pending') {
    if (why !== undefined) s.reason = why
    if (why !== undefined && NEVER_STARTS.has(why)) s.neverStarts = true
    return s
  }
  const tres = parseTres(f.tres)
  if (Object.keys(tres).length > 0) s.tres = tres
  if (state === 'oom') {
    s.reason = oomReason(native, tres)
  } else {
    s.reason = why === undefined ? native : `${native}: ${why}`
  }
  const startedAt = parseSlurmDate(f.start)
  if (startedAt !== undefined) s.startedAt = startedAt
  const n = f.nodes
  if (n !== undefined && n !== '' && n !== '(null)' && n !== 'None assigned') s.nodes = n
  if (state !== 'running') {
    // 0:0 on a job that did not succeed (NODE_FAIL, PREEMPTED) is no exit status: the command never ended.
    const code = parseExitCode(f.exitCode)
    if (code !== undefined && (code !== 0 || state === 'succeeded')) s.exitCode = code
    const finishedAt = parseSlurmDate(f.end)
    if (finishedAt !== undefined) s.finishedAt = finishedAt
  }
  return s
}

function oomReason(native: string, tres: Record<string, string>): string {
  const mem = tres['mem']
  const nodes = Number(tres['node'] ?? 1)
  const given = mem === undefined ? '' : ` (mem=${mem}${nodes > 1 ? ` over ${nodes} nodes` : ''})`
  return `${native}: the job used more memory than Slurm gave it${given}; ask for more with resources.memory`
}

/** What slurmstepd writes to the job's stderr when `JobAcctGatherParams=OverMemoryKill` kills a step. */
const OVER_MEMORY_KILL = /slurmstepd[^:\n]*: error: (?:Exceeded job memory limit|StepId=\S+ exceeded memory limit)/

/**
 * A job killed by `JobAcctGatherParams=OverMemoryKill` (clusters that enforce memory without
 * cgroups): Slurm records it FAILED or CANCELLED with signal 9, and only the job's stderr says why.
 * With that stderr's tail (read only for such a status), it becomes `oom` with the same reason as
 * OUT_OF_MEMORY; any other status is returned as it is.
 *
 * @example
 * overMemoryKilled({ state: 'failed', exitCode: 137 }, () => 'slurmstepd-n1: error: Exceeded job memory limit').state // 'oom'
 */
export function overMemoryKilled(s: JobStatus, stderrTail: () => string): JobStatus {
  if ((s.state !== 'failed' && s.state !== 'cancelled') || s.exitCode !== 137 || !OVER_MEMORY_KILL.test(stderrTail()))
    return s
  const { exitCode: _killed, ...rest } = s
  return { ...rest, state: 'oom', reason: `${oomReason('OUT_OF_MEMORY', s.tres ?? {})} (OverMemoryKill)` }
}
