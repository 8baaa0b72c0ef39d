/**
 * Errors of the baseline planners, one constructor per kind so messages are built in one place.
 * Codes match the native planner's (`RIVERS_*`), so tests can compare them.
 *
 * @example
 * try { new ReferencePlanner(g) } catch (e) { if (e instanceof PlannerError) console.log(e.code) }
 */
export class PlannerError extends Error {
  /** Stable machine-readable code, e.g. `RIVERS_CYCLE`. */
  readonly code: string
  /** Exit code the CLI would use: 2, bad input. */
  readonly exitCode = 2

  constructor(code: string, message: string) {
    super(message)
    this.name = 'PlannerError'
    this.code = code
  }
}

export const invalidKey = (key: string, id: number): PlannerError =>
  new PlannerError(
    'RIVERS_INVALID_KEY',
    `asset key ${JSON.stringify(key)} (id ${id}) is invalid: use segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'`,
  )

export const duplicateKey = (key: string, first: number, second: number): PlannerError =>
  new PlannerError(
    'RIVERS_DUPLICATE_KEY',
    `asset key '${key}' is defined twice (ids ${first} and ${second}): rename one of them`,
  )

export const unknownDep = (key: string, dep: number, n: number): PlannerError =>
  new PlannerError(
    'RIVERS_UNKNOWN_DEP',
    `asset '${key}' depends on id ${dep}, which is not in the graph (${n} assets): define that asset or remove the dependency`,
  )

export const selfDep = (key: string): PlannerError =>
  new PlannerError('RIVERS_SELF_DEP', `asset '${key}' depends on itself: remove '${key}' from its own deps`)

/** `cycle` lists the keys from the smallest one, in dependency direction, without repeating the first. */
export const cycle = (keys: readonly string[]): PlannerError =>
  new PlannerError(
    'RIVERS_CYCLE',
    `dependency cycle: ${[...keys, keys[0]].join(' -> ')} (a -> b means a depends on b): break one of these edges`,
  )

export const badBatch = (what: string): PlannerError =>
  new PlannerError('RIVERS_BAD_BATCH', `invalid record batch: ${what}`)

export const notSource = (key: string): PlannerError =>
  new PlannerError(
    'RIVERS_NOT_SOURCE',
    `asset '${key}' is not a source, so it cannot be observed: give it an observe function or record a materialization instead`,
  )

export const outOfRange = (what: string, id: number, n: number): PlannerError =>
  new PlannerError('RIVERS_UNKNOWN_ID', `${what}: id ${id} is not in the graph (${n} assets)`)
