/**
 * Step 4 of a materialization: the asset's checks on its output. A check that throws counts as
 * failed; a failed blocking check keeps the output from being recorded.
 */
import { type AssetDef, checkOutcome } from '../definitions/index.js'
import type { NewCheckResult } from '../store/types.js'
import { blockingCheckFailed, describeFailure } from './errors.js'
import type { RunContext } from './run-context.js'
import { userCode, wrapUserError } from './user-code.js'

/** One check's result, ready to be recorded. */
export type CheckRow = NewCheckResult & { blocking: boolean; message?: string }

/**
 * Evaluates the asset's checks on its output, emitting one `check_evaluated` event per check.
 *
 * @example
 * const rows = await evaluateChecks(run, def, value)
 */
export async function evaluateChecks(run: RunContext, def: AssetDef, value: unknown): Promise<CheckRow[]> {
  const rows: CheckRow[] = []
  const scope = { key: def.key, runId: run.runId, projectDir: run.state.baseDir }
  for (const check of def.checks) {
    const row: CheckRow = { runId: run.runId, key: def.key, name: check.name, passed: false, blocking: check.blocking }
    try {
      const ctx = {
        runId: run.runId,
        key: def.key,
        log: run.log.child({ asset: def.key, check: check.name }),
        signal: run.signal,
      }
      const outcome = checkOutcome(def.key, check.name, await userCode(scope, 'check', () => check.fn(value, ctx)))
      row.passed = outcome.passed
      if (outcome.message !== undefined) row.message = outcome.message
      if (outcome.metadata !== undefined) row.metadata = { ...outcome.metadata }
    } catch (e) {
      row.message = `check threw: ${describeFailure(wrapUserError(scope, 'check', e))}`
    }
    if (row.message !== undefined) row.message = run.secrets.scrub(row.message)
    if (row.metadata !== undefined) row.metadata = run.secrets.scrubDeep(row.metadata)
    run.emit({
      type: 'check_evaluated',
      key: def.key,
      name: check.name,
      passed: row.passed,
      blocking: check.blocking,
      ...(row.message === undefined ? {} : { message: row.message }),
    })
    rows.push(row)
  }
  return rows
}

/**
 * An output that fails a blocking check is not recorded (the asset stays missing or stale and is
 * planned again); its check results are. Throws the failure of the first blocking check.
 *
 * @example
 * await refuseIfBlocked(run, def, rows)
 */
export async function refuseIfBlocked(run: RunContext, def: AssetDef, rows: readonly CheckRow[]): Promise<void> {
  const failed = rows.filter((c) => c.blocking && !c.passed)
  if (failed.length === 0) return
  for (const c of rows) await run.store.recordCheck(c)
  throw blockingCheckFailed(def.key, failed[0]!.name, failed[0]!.message)
}
