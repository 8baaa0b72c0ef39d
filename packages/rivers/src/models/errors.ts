/**
 * Errors of the model registry: each names the model, the alias or the version, and the fix.
 */
import { RiversError } from '../errors.js'
import type { GateCheck } from './gate.js'

/**
 * An asset given to a registry command is not a registered model.
 *
 * @example
 * throw notAModel('model/features', ['model/churn'])
 */
export function notAModel(key: string, models: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_NOT_A_MODEL',
    `'${key}' is not a registered model. ` +
      (models.length === 0
        ? `This project has none: add model: true (or { name, gate }) to the spec of the asset that is the model.`
        : `The project's models: ${models.join(', ')}. Add model: true to the spec of '${key}' to register it.`),
  )
}

/**
 * A promotion of a model that was never materialized.
 *
 * @example
 * throw noVersions('model/churn')
 */
export function noVersions(key: string): RiversError {
  return new RiversError(
    'RIVERS_MODEL_NO_VERSIONS',
    `Model '${key}' has no versions yet: each materialization with a new data version is one. Run \`assets materialize ${key}\` first.`,
  )
}

/**
 * The VERSION given to promote names no version of the model.
 *
 * @example
 * throw unknownVersion('model/churn', 7, 3)
 */
export function unknownVersion(key: string, version: number, latest: number): RiversError {
  return new RiversError(
    'RIVERS_MODEL_UNKNOWN_VERSION',
    `Model '${key}' has no version ${version}: its versions are 1 to ${latest}. See \`assets models ${key}\`.`,
  )
}

/**
 * The version's artifact was deleted by gc, so nothing could serve it.
 *
 * @example
 * throw versionCollected('model/churn', 2, '2026-12-01T00:00:00.000Z')
 */
export function versionCollected(key: string, version: number, collectedAt: string): RiversError {
  return new RiversError(
    'RIVERS_MODEL_VERSION_COLLECTED',
    `Cannot promote version ${version} of '${key}': gc deleted its artifact at ${collectedAt}. ` +
      `Rebuild it (\`assets materialize ${key} --force\` with the same inputs and config gives the same version), or promote another version.`,
  )
}

/**
 * The promotion gate refused the candidate; every rule is listed with its numbers.
 *
 * @example
 * throw gateRefused('model/churn', 'champion', 3, checks)
 */
export function gateRefused(key: string, alias: string, version: number, checks: readonly GateCheck[]): RiversError {
  const lines = checks.map((c) => `  ${c.passed ? 'pass' : 'FAIL'}  ${c.detail}  (${c.rule})`)
  return new RiversError(
    'RIVERS_MODEL_GATE',
    `Version ${version} of '${key}' was not promoted to '${alias}': the promotion gate refused it.\n${lines.join('\n')}\n` +
      `Nothing was changed. Improve the model and materialize it again, or pass --force with --reason to promote it anyway.`,
    { exitCode: 1 },
  )
}

/**
 * `--force` without `--reason`.
 *
 * @example
 * throw forceNeedsReason('model/churn', 'champion')
 */
export function forceNeedsReason(key: string, alias: string): RiversError {
  return new RiversError(
    'RIVERS_MODEL_FORCE_REASON',
    `A forced promotion of '${key}' to '${alias}' needs a reason: add --reason "why the gate is overridden" (it is kept in the alias history).`,
  )
}

/**
 * A rollback with nothing to go back to.
 *
 * @example
 * throw nothingToRollBack('model/churn', 'champion', 1)
 */
export function nothingToRollBack(key: string, alias: string, current: number | null): RiversError {
  return new RiversError(
    'RIVERS_MODEL_NO_ROLLBACK',
    current === null
      ? `Alias '${alias}' of '${key}' names no version, so there is nothing to roll back. Promote one with \`assets promote ${key} --alias ${alias}\`.`
      : `Alias '${alias}' of '${key}' has named only version ${current} since it was created: there is no earlier version to roll back to. ` +
          `Promote another version with \`assets promote ${key} N --alias ${alias}\`.`,
  )
}

/**
 * The store has no model registry (a backend without `moveModelAlias`).
 *
 * @example
 * throw registryUnsupported()
 */
export function registryUnsupported(): RiversError {
  return new RiversError(
    'RIVERS_MODEL_REGISTRY_UNSUPPORTED',
    'This store keeps no model registry (it lacks moveModelAlias/modelAliasMoves). Use the embedded SQLite store or the PostgreSQL store of this Rivers version.',
  )
}

/**
 * An alias name that is not a plain word.
 *
 * @example
 * throw badAlias('model/churn', 'prod env')
 */
export function badAlias(key: string, alias: string): RiversError {
  return new RiversError(
    'RIVERS_MODEL_BAD_ALIAS',
    `'${alias}' is not a valid alias of '${key}': use A-Z a-z 0-9 _ -, e.g. champion or challenger.`,
  )
}
