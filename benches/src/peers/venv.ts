/**
 * The Python environment of the peers mode: a venv under `benches/.peers/venv` (git-ignored) with
 * Dagster from PyPI at a pinned version, created on first use (`python3.11 -m venv`, else `python3`).
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { dagsterMissing, noPython } from './errors.js'

/** The Dagster release the peers mode installs and reports. */
export const DAGSTER_VERSION = '1.13.0'

/** `benches/.peers/` (git-ignored): the venv and the generated graphs. */
export const PEERS_DIR = fileURLToPath(new URL('../../.peers/', import.meta.url))

/** The venv's Python, the Dagster version it has, and how long creating it took (0 if it was ready). */
export interface PeerEnv {
  python: string
  dagster: string
  setupS: number
}

function firstPython(): string {
  for (const candidate of ['python3.11', 'python3']) {
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' })
      return candidate
    } catch {
      // try the next one
    }
  }
  throw noPython()
}

/**
 * Creates the venv and installs `dagster==DAGSTER_VERSION` unless that is already there.
 * @example const env = ensureVenv((m) => console.error(m)); env.dagster // '1.13.0'
 */
export function ensureVenv(log: (message: string) => void): PeerEnv {
  const venv = path.join(PEERS_DIR, 'venv')
  const python = path.join(venv, 'bin', 'python')
  const installed = (): string => {
    try {
      return execFileSync(python, ['-c', 'import dagster; print(dagster.__version__)'], { encoding: 'utf8' }).trim()
    } catch {
      return ''
    }
  }
  const t0 = performance.now()
  let setup = false
  if (!existsSync(python)) {
    setup = true
    log(`  creating ${path.relative(process.cwd(), venv)} …`)
    execFileSync(firstPython(), ['-m', 'venv', venv], { stdio: 'inherit' })
  }
  if (installed() !== DAGSTER_VERSION) {
    setup = true
    log(`  pip install dagster==${DAGSTER_VERSION} (a few minutes) …`)
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', `dagster==${DAGSTER_VERSION}`], { stdio: 'inherit' })
  }
  const dagster = installed()
  if (dagster !== DAGSTER_VERSION) throw dagsterMissing(venv, DAGSTER_VERSION, dagster)
  return { python, dagster, setupS: setup ? (performance.now() - t0) / 1000 : 0 }
}
