/**
 * A function asset run as a job (`launcher: 'slurm'`, or a local launcher with `functions: 'worker'`):
 * the job's command is `assets worker run` for the asset, launched by the same code path as a command
 * asset (slots and GPU locks, rendezvous, checkpoints, requeues, reattach). The worker reads the
 * inputs where this run loaded them, runs the function on the node and stores its output through
 * the IO manager; this process records what it hands back, as a local materialization is recorded.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'

import type { AssetContext, AssetDef, Project } from '../definitions/index.js'
import { SITE } from '../definitions/handles.js'
import { RiversError } from '../errors.js'
import type { IOManager } from '../io/types.js'
import { removeCheckpointDir } from '../launchers/checkpoints.js'
import type { Launcher, ResourceRequest } from '../launchers/types.js'
import { StoredInput } from './inputs.js'
import { runJob } from './job.js'
import { StoredByWorker } from './outputs.js'
import type { AssetId } from './planner.js'
import type { RunContext } from './run-context.js'
import {
  readWorkerResult,
  WORKER_FILES,
  type WorkerInput,
  type WorkerRequest,
  writeWorkerRequest,
} from './worker-protocol.js'

/** Environment variable: the worker's command prefix as a JSON array (`["node", "/opt/cli/bin/assets.mjs"]`). */
export const WORKER_COMMAND_ENV = 'RIVERS_WORKER_COMMAND'

/**
 * Runs function asset `def` as a job through `launcher` and returns its stored output (taken as it
 * is by `storeOutput`).
 *
 * @example
 * const stored = await runFunctionJob(run, id, def, inputs, ctx, launcher, request)
 */
export async function runFunctionJob(
  run: RunContext,
  id: AssetId,
  def: AssetDef,
  inputs: Record<string, unknown>,
  ctx: AssetContext<unknown>,
  launcher: Launcher,
  request: ResourceRequest,
): Promise<StoredByWorker> {
  const prefix = workerCommand(def.key, run.state.baseDir)
  const workerInputs = whereInputsAre(run, id, inputs)
  const partition = ctx.partition?.key
  const { handle, checkpoint, report } = await runJob(run, id, def, ctx, launcher, request, {
    identity: ['assets', 'worker', 'run', def.key, ...(partition === undefined ? [] : [partition])],
    cwd: run.state.baseDir,
    inputs: async () => ({}),
    command: (jobDir, checkpointDir) => {
      const req: WorkerRequest = {
        version: 1,
        runId: run.runId,
        assetKey: def.key,
        attempt: ctx.attempt,
        storeDir: run.storeDir,
        checkpointDir,
        inputs: workerInputs,
        ...(partition === undefined ? {} : { partition }),
      }
      const values = Object.fromEntries(
        Object.entries(workerInputs)
          .filter(([, w]) => w.from === 'values')
          .map(([name]) => [name, inputs[name]]),
      )
      writeWorkerRequest(jobDir, req, {
        config: ctx.config ?? null,
        inputs: values,
        ...(ctx.partition === undefined ? {} : { partition: ctx.partition }),
      })
      return [
        ...prefix,
        'worker',
        'run',
        '--run',
        run.runId,
        '--asset',
        def.key,
        ...(partition === undefined ? [] : ['--partition', partition]),
        ...projectFlag(run.project),
        '--store',
        run.storeDir,
        '--request',
        path.join(jobDir, WORKER_FILES.request),
        '--result',
        path.join(jobDir, WORKER_FILES.result),
      ]
    },
    failure: (jobDir) => {
      const r = readWorkerResult(path.join(jobDir, WORKER_FILES.result))
      return r !== undefined && !r.ok ? workerFailed(def.key, r.error, r.code, jobDir) : undefined
    },
  })
  const resultFile = path.join(handle.jobDir, WORKER_FILES.result)
  const r = readWorkerResult(resultFile)
  if (r === undefined) throw workerResultMissing(def.key, resultFile)
  if (!r.ok) throw workerFailed(def.key, r.error, r.code, handle.jobDir)
  // The function's metrics, then what the job's messages carried (GPU telemetry: gpu_util, gpu_mem_mb).
  for (const m of [...r.metrics, ...report.metrics]) ctx.addMetric(m.name, m.value, m.step)
  ctx.addMetadata(r.metadata)
  // Checks see the value as consumers will: read back from where the worker stored it.
  const io = (def.io as IOManager | undefined) ?? run.io
  const value =
    def.checks.length === 0 ? undefined : await io.read({ key: def.key }, { storagePath: r.stored.storagePath })
  removeCheckpointDir(checkpoint)
  return new StoredByWorker({ value, stored: r.stored, dataVersion: r.dataVersion, metadata: r.outputMetadata })
}

/**
 * Where the worker reads each input: a stored output by its storage path (the record `loadInputs`
 * chose and recorded as consumed, handed on as a `StoredInput`), anything else (sources, partitioned
 * inputs, an output without a file) from the values this run loaded.
 */
function whereInputsAre(run: RunContext, id: AssetId, inputs: Record<string, unknown>): Record<string, WorkerInput> {
  const out: Record<string, WorkerInput> = {}
  for (const d of run.state.asset(id).deps) {
    const given = inputs[d.name]
    out[d.name] =
      given instanceof StoredInput
        ? { from: 'store', key: given.key, storagePath: given.storagePath }
        : { from: 'values' }
  }
  return out
}

/**
 * The command that starts the worker, without its arguments: `RIVERS_WORKER_COMMAND` (a JSON array)
 * when set; else this process's own `assets` command (same Node, same Node flags); else the `assets`
 * of the `@rivers-orchestrator/cli` the project folder resolves.
 *
 * @example
 * workerCommand('model', '/home/me/shop') // ['/usr/bin/node', '/home/me/shop/node_modules/@rivers-orchestrator/cli/bin/assets.mjs']
 */
export function workerCommand(assetKey: string, projectDir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env[WORKER_COMMAND_ENV]
  if (given !== undefined && given.trim() !== '') {
    let parsed: unknown
    try {
      parsed = JSON.parse(given)
    } catch {
      parsed = undefined
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((a) => typeof a === 'string' && a !== ''))
      throw badWorkerCommand(assetKey, given)
    return parsed as string[]
  }
  const self = process.argv[1]
  if (self !== undefined && /(^|[\\/])assets(\.m?js)?$/.test(self))
    return [process.execPath, ...process.execArgv.filter((a) => !a.startsWith('--inspect')), path.resolve(self)]
  try {
    const manifest = createRequire(path.join(projectDir, 'package.json')).resolve(
      '@rivers-orchestrator/cli/package.json',
    )
    const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: Record<string, string> }).bin?.assets
    const file = bin === undefined ? undefined : path.resolve(path.dirname(manifest), bin)
    if (file !== undefined && existsSync(file)) return [process.execPath, file]
  } catch {
    // not installed in the project: reported below
  }
  throw workerCommandNotFound(assetKey, projectDir)
}

/**
 * `--project FILE`: the one this process was given (`assets … --project FILE`), else the project
 * file where `defineProject` was called when it is named like one (`rivers.config.ts`), else none
 * (the worker looks for the project file from its folder, as `assets` does).
 */
function projectFlag(project: Project): string[] {
  const argv = process.argv
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--project' && argv[i + 1] !== undefined) return ['--project', path.resolve(argv[i + 1]!)]
    if (a.startsWith('--project=')) return ['--project', path.resolve(a.slice('--project='.length))]
  }
  const at = project[SITE]?.at()?.replace(/:\d+:\d+$/, '')
  if (at !== undefined && /(^|[\\/])rivers\.config\.[cm]?[jt]s$/.test(at)) {
    const file = path.resolve(at)
    if (existsSync(file)) return ['--project', file]
  }
  return []
}

/**
 * The worker of a function job failed: its own message (the asset's error, an unreadable input).
 *
 * @example
 * throw workerFailed('model', 'RIVERS_USER_CODE: Error: boom', 'RIVERS_USER_CODE', '/p/.rivers/jobs/r1/model/attempt-1')
 */
export function workerFailed(assetKey: string, error: string, code: string | undefined, jobDir: string): RiversError {
  return new RiversError(
    code ?? 'RIVERS_WORKER_FAILED',
    `${error}\n(asset '${assetKey}' ran as a job; its worker's output: ${jobDir})`,
    { exitCode: 1 },
  )
}

function workerResultMissing(assetKey: string, file: string): RiversError {
  return new RiversError(
    'RIVERS_WORKER_RESULT',
    `Asset '${assetKey}': its job succeeded but the worker left no result at ${file}.\nFix: the job folder must be on storage the node and this machine share (launcher.jobsDir); check the job's stderr.log beside it.`,
    { exitCode: 1 },
  )
}

function workerCommandNotFound(assetKey: string, projectDir: string): RiversError {
  return new RiversError(
    'RIVERS_WORKER_COMMAND',
    `Asset '${assetKey}' is a function run as a job, but the \`assets\` command that runs it on the node was not found (this process is not \`assets\`, and ${projectDir} does not resolve @rivers-orchestrator/cli).\nFix: install @rivers-orchestrator/cli in the project, or set ${WORKER_COMMAND_ENV} to the command as a JSON array, e.g. '["node", "/opt/rivers/bin/assets.mjs"]'.`,
  )
}

function badWorkerCommand(assetKey: string, given: string): RiversError {
  return new RiversError(
    'RIVERS_WORKER_COMMAND',
    `Asset '${assetKey}': ${WORKER_COMMAND_ENV} is ${JSON.stringify(given)}, not a JSON array of non-empty strings.\nFix: set it like '["node", "/opt/rivers/bin/assets.mjs"]', or unset it.`,
  )
}
