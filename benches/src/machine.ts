/**
 * What ran the benchmarks: CPU, cores, memory, Node and Rust versions, the git commit (and whether
 * the working tree had changes), and the load average, so numbers from two runs can be compared.
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'

/** Machine and build facts recorded in every report. */
export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryBytes: number
  platform: string
  node: string
  v8: string
  rust: string | null
  gitCommit: string | null
  /** Uncommitted changes in the working tree when the run started. */
  gitDirty: boolean | null
  /** 1, 5 and 15 minute load averages at the start and at the end (other work on the machine). */
  loadStart: number[]
  loadEnd?: number[]
}

function run(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim()
  } catch {
    return null
  }
}

/**
 * Facts about this machine and checkout (`rustc` and `git` are optional: null when absent).
 * @example machineInfo().cpuModel // 'AMD EPYC 7B13'
 */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus()
  const status = run('git', ['status', '--porcelain', '--untracked-files=no'])
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryBytes: os.totalmem(),
    platform: `${process.platform}-${process.arch} (${os.release()})`,
    node: process.version,
    v8: process.versions.v8,
    rust: run('rustc', ['--version']),
    gitCommit: run('git', ['rev-parse', 'HEAD']),
    gitDirty: status === null ? null : status.length > 0,
    loadStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  }
}

/** The current load averages, rounded. */
export function loadNow(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100)
}
