/**
 * Every error the definition API raises, one constructor per kind. Messages name the asset (or its
 * definition site) and say how to fix the problem; tests pin their text.
 */
import { DefinitionError, RiversError } from '../errors.js'

/**
 * One problem found in a spec: a field path, what is wrong, and a hint on how to write it.
 *
 * @example
 * const issue: SpecIssue = { path: 'timeout', problem: 'expected a duration', hint: "e.g. '30s'" }
 */
export interface SpecIssue {
  readonly path: string
  readonly problem: string
  readonly hint: string | undefined
}

function where(declaredAt: string | undefined): string {
  return declaredAt === undefined ? '' : ` (defined at ${declaredAt})`
}

/**
 * The asset key is missing or malformed.
 *
 * @example
 * throw invalidKey('raw orders', "segment 'raw orders' contains ' '", 'src/assets.ts:3:1')
 */
export function invalidKey(
  key: unknown,
  problem: string,
  declaredAt: string | undefined,
  subject = 'asset',
): DefinitionError {
  const shown = typeof key === 'string' ? `'${key}'` : String(key)
  return new DefinitionError(
    'RIVERS_INVALID_KEY',
    `Invalid ${subject} key ${shown}${where(declaredAt)}: ${problem}.\n` +
      `Fix: a key is one or more segments of A-Z a-z 0-9 _ - . joined by '/', e.g. 'raw/orders' or 'models/churn.v2'.`,
  )
}

/**
 * A spec has fields of the wrong shape (or unknown fields).
 *
 * @example
 * throw invalidSpec('asset', 'raw', [{ path: 'retry.maxRetries', problem: 'expected an integer >= 0', hint: undefined }], undefined)
 */
export function invalidSpec(
  subject: string,
  key: string,
  issues: readonly SpecIssue[],
  declaredAt: string | undefined,
): DefinitionError {
  const lines = issues.map(
    (i) => `  - ${i.path === '' ? '(spec)' : i.path}: ${i.problem}` + (i.hint ? `\n    Fix: ${i.hint}` : ''),
  )
  return new DefinitionError(
    'RIVERS_INVALID_SPEC',
    `Invalid definition of ${subject} '${key}'${where(declaredAt)}:\n${lines.join('\n')}`,
  )
}

/**
 * A dep is not an asset, source, `ref()` or key string.
 *
 * @example
 * throw invalidDep('features', 'raw', 'undefined')
 */
export function invalidDep(assetKey: string, input: string, got: string): DefinitionError {
  const hint =
    got === 'undefined'
      ? ' It is undefined: the upstream is probably used before its definition runs (declared further down, or an import cycle between files).'
      : got.startsWith('a function')
        ? ' A function: was asset(spec) called without its function (that makes a decorator), or a class given instead of assetsOf(Class).method?'
        : ''
  return new DefinitionError(
    'RIVERS_INVALID_DEP',
    `Asset '${assetKey}': input '${input}' is ${got}, not an asset.${hint}\n` +
      `Fix: map each input to an asset() or source() handle, a ref('key'), or an asset key string.`,
  )
}

/**
 * Two different definitions share a key.
 *
 * @example
 * throw duplicateKey('raw', { declaredAt: 'a.ts:1:1', description: undefined }, { declaredAt: 'b.ts:2:1', description: 'Raw rows' })
 */
export function duplicateKey(
  key: string,
  first: { declaredAt: string | undefined; description: string | undefined },
  second: { declaredAt: string | undefined; description: string | undefined },
): DefinitionError {
  const show = (d: typeof first, n: number) =>
    `  ${n}. ${d.declaredAt ?? '(position unknown)'}${d.description === undefined ? '' : ` — ${JSON.stringify(d.description)}`}`
  return new DefinitionError(
    'RIVERS_DUPLICATE_KEY',
    `Two different assets have the key '${key}':\n${show(first, 1)}\n${show(second, 2)}\n` +
      `Fix: give one of them another key, or import and reuse the same definition instead of defining it twice.`,
  )
}

/**
 * A key dep (`'raw/orders'` or `ref('raw/orders')`) names no asset of the project.
 *
 * @example
 * throw unknownDep('features', 'orders', 'raw/order', 'raw/orders')
 */
export function unknownDep(
  assetKey: string,
  input: string,
  depKey: string,
  suggestion: string | undefined,
): DefinitionError {
  const mean = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`
  return new DefinitionError(
    'RIVERS_UNKNOWN_DEP',
    `Asset '${assetKey}': input '${input}' depends on '${depKey}', which is not an asset of this project.${mean}\n` +
      `Fix: correct the key, or add the asset that produces '${depKey}' to defineProject({ assets }).`,
  )
}

/**
 * An asset depends on itself.
 *
 * @example
 * throw selfDependency('model', 'model')
 */
export function selfDependency(assetKey: string, input: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_SELF_DEPENDENCY',
    `Asset '${assetKey}': input '${input}' is the asset itself.\n` +
      `Fix: an asset cannot consume its own value; read its previous value through an IO manager, or split it into two assets.`,
  )
}

/**
 * The schema a consumer declares for an input does not accept what the producer's `output` schema says.
 *
 * @example
 * throw schemaMismatch('features', 'orders', 'raw/orders', '[].id', 'the consumer expects number, the producer gives string')
 */
export function schemaMismatch(
  consumerKey: string,
  input: string,
  producerKey: string,
  path: string,
  detail: string,
): DefinitionError {
  const at = path === '' ? `${input} (the whole value)` : `${input}${path.startsWith('[') ? '' : '.'}${path}`
  return new DefinitionError(
    'RIVERS_SCHEMA_MISMATCH',
    `Asset '${consumerKey}': input '${input}' does not match the output of '${producerKey}' at ${at}: ${detail}.\n` +
      `Fix: make '${consumerKey}'.inputs.${input} accept what '${producerKey}'.output describes, or change the producer's output schema.`,
  )
}

/**
 * An entry of `defineProject({ assets })` is not an asset, a source or a class with @asset methods.
 *
 * @example
 * throw invalidProjectEntry(2, 'undefined')
 */
export function invalidProjectEntry(index: number, got: string): DefinitionError {
  const hint = got.startsWith('a function')
    ? ' If it came from asset(spec) without a function, that makes a method decorator: pass the function too, asset(spec, (inputs, ctx) => value).'
    : got === 'undefined'
      ? ' It is undefined: the asset is probably used before its definition runs (declared further down, or an import cycle between files).'
      : ''
  return new DefinitionError(
    'RIVERS_INVALID_PROJECT_ENTRY',
    `defineProject: assets[${index}] is ${got}, not an asset, a source or a class with @asset methods.${hint}\n` +
      `Fix: list the values returned by asset()/source(), or classes whose methods are decorated with @asset.`,
  )
}

/**
 * `defineProject` options have the wrong shape.
 *
 * @example
 * throw invalidProjectOptions([{ path: 'concurrency', problem: 'expected a positive integer', hint: undefined }])
 */
export function invalidProjectOptions(issues: readonly SpecIssue[]): DefinitionError {
  const lines = issues.map(
    (i) => `  - ${i.path === '' ? '(options)' : i.path}: ${i.problem}` + (i.hint ? `\n    Fix: ${i.hint}` : ''),
  )
  return new DefinitionError('RIVERS_INVALID_PROJECT', `Invalid defineProject options:\n${lines.join('\n')}`)
}

/**
 * A condition (`data_amount`, `drift`) names an input the asset does not have.
 *
 * @example
 * throw unknownConditionInput('model', 'automation.of[0].input', 'featurs', ['features', 'labels'])
 */
export function unknownConditionInput(
  assetKey: string,
  path: string,
  input: string,
  inputs: readonly string[],
): DefinitionError {
  const known = inputs.length === 0 ? 'it has no deps' : `its inputs are ${inputs.map((n) => `'${n}'`).join(', ')}`
  return new DefinitionError(
    'RIVERS_INVALID_PROJECT',
    `Asset '${assetKey}': ${path} names '${input}', which is not one of its inputs (${known}).\n` +
      `Fix: give the name of one of its deps (or that dep's key), or add '${input}' to its deps.`,
  )
}

/**
 * A `performance` condition reads the metrics of an asset the project does not have.
 *
 * @example
 * throw unknownConditionAsset('model', 'automation.asset', 'model/evl', 'model/eval')
 */
export function unknownConditionAsset(
  assetKey: string,
  path: string,
  key: string,
  suggestion: string | undefined,
): DefinitionError {
  const mean = suggestion === undefined ? '' : ` Did you mean '${suggestion}'?`
  return new DefinitionError(
    'RIVERS_INVALID_PROJECT',
    `Asset '${assetKey}': ${path} reads the metrics of '${key}', which is not an asset of this project.${mean}\n` +
      `Fix: correct the key, or add the asset that records the metric to defineProject({ assets }).`,
  )
}

/**
 * A source names a sensor in `reportedBy` that the project does not list.
 *
 * @example
 * throw unknownReportingSensor('raw/events', 'event_sensr', ['event_sensor'], 'event_sensor')
 */
export function unknownReportingSensor(
  sourceKey: string,
  sensor: string,
  known: readonly string[],
  mean: string | undefined,
): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_PROJECT',
    `Source '${sourceKey}' is reportedBy sensor '${sensor}', which is not a sensor of this project` +
      `${mean === undefined ? '' : `. Did you mean '${mean}'?`}` +
      ` (sensors: ${known.length === 0 ? 'none' : known.join(', ')}).\n` +
      `Fix: add the sensor to defineProject({ sensors }), or correct reportedBy.`,
  )
}

/**
 * Two schedules (or two sensors) of a project share a name.
 *
 * @example
 * throw duplicateTriggerName('schedule', 'nightly')
 */
export function duplicateTriggerName(kind: 'schedule' | 'sensor', name: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_PROJECT',
    `Two ${kind}s are named '${name}'.\nFix: give each ${kind} its own name (its state is stored under it).`,
  )
}

/**
 * An entry of `schedules` / `sensors` is not a `schedule()` / `sensor()` value.
 *
 * @example
 * throw invalidTriggerEntry('sensor', 0, 'an object')
 */
export function invalidTriggerEntry(kind: 'schedule' | 'sensor', index: number, got: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_PROJECT',
    `defineProject: ${kind}s[${index}] is ${got}, not a ${kind}.\n` +
      `Fix: list values made by ${kind}({ name, ... }) in ${kind}s.`,
  )
}

/**
 * A drift condition got an input value it cannot read columns from.
 *
 * @example
 * throw driftValueShape('model', 'features', 'string')
 */
export function driftValueShape(assetKey: string, inputKey: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_DRIFT_VALUE',
    `Drift condition of asset '${assetKey}': the value of '${inputKey}' is ${got}, not rows or columns of numbers.\n` +
      `Fix: make '${inputKey}' return an array of row objects ([{ x: 1.2 }, …]) or an object of column arrays ({ x: [1.2, …] }).`,
    { exitCode: 1 },
  )
}

/**
 * A drift condition names columns the input's values do not have (as numbers).
 *
 * @example
 * throw driftColumnsMissing('model', 'features', ['bill_lenght_mm'], ['bill_length_mm'])
 */
export function driftColumnsMissing(
  assetKey: string,
  inputKey: string,
  absent: readonly string[],
  numeric: readonly string[],
): RiversError {
  const has = numeric.length === 0 ? 'it has no numeric column' : `its numeric columns are ${numeric.join(', ')}`
  const what = absent.length === 0 ? 'no numeric column to compare' : `no numeric column ${absent.join(', ')}`
  return new RiversError(
    'RIVERS_DRIFT_COLUMNS',
    `Drift condition of asset '${assetKey}': '${inputKey}' has ${what} in both the reference and the current value (${has}).\n` +
      `Fix: list columns that hold numbers in both values, e.g. columns: [${numeric
        .slice(0, 2)
        .map((c) => `'${c}'`)
        .join(', ')}].`,
    { exitCode: 1 },
  )
}

/**
 * A class given to `assetsOf` or `defineProject` has no @asset methods.
 *
 * @example
 * throw noAssetMethods('Pipeline')
 */
export function noAssetMethods(className: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_NO_ASSET_METHODS',
    `Class ${className || '(anonymous)'} has no methods decorated with @asset.\n` +
      `Fix: decorate its methods with @asset({ key: '…' }), or list asset() values instead of the class.`,
  )
}

/**
 * `assetsOf(C).name` names a method that is not decorated with @asset.
 *
 * @example
 * throw notAnAssetMethod('Pipeline', 'helper')
 */
export function notAnAssetMethod(className: string, method: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_NOT_AN_ASSET_METHOD',
    `assetsOf(${className || '(anonymous)'}).${method}: method '${method}' is not decorated with @asset.\n` +
      `Fix: add @asset({ key: '…' }) above it, or use another method.`,
  )
}

/**
 * `@asset(spec)` was put on something other than a public, non-static class method, or twice.
 *
 * @example
 * throw invalidDecoratorUse('raw', '#secret', 'private methods cannot be assets')
 */
export function invalidDecoratorUse(key: string, member: string, problem: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_DECORATOR',
    `@asset({ key: '${key}' }) on ${member}: ${problem}.\n` +
      `Fix: put @asset on a public instance method (no '#', no 'static'), once per method.`,
  )
}

/**
 * `config`, `output` or an `inputs` entry is a zod 3 schema (zod@3, or `zod/v3`).
 *
 * @example
 * throw zod3Schema('model', 'config', 'rivers.config.ts:4:15')
 */
export function zod3Schema(key: string, field: string, declaredAt: string | undefined): DefinitionError {
  return new DefinitionError(
    'RIVERS_ZOD3_SCHEMA',
    `Rivers needs zod 4 (found a zod 3 schema): asset '${key}'${where(declaredAt)}, field ${field}.\n` +
      `Fix: install zod 4 (npm i zod@^4) and build the schema with \`import { z } from 'zod'\` (zod 4), ` +
      `not from zod@3 or 'zod/v3'.`,
  )
}

/**
 * `@asset` was applied as a legacy decorator (tsconfig `experimentalDecorators`).
 *
 * @example
 * throw legacyDecorators('raw', 'src/pipeline.ts:4:3')
 */
export function legacyDecorators(key: string, declaredAt: string | undefined): DefinitionError {
  return new DefinitionError(
    'RIVERS_LEGACY_DECORATORS',
    `@asset({ key: '${key}' })${where(declaredAt)} was applied as a legacy TypeScript decorator: ` +
      `the project compiles with "experimentalDecorators", and Rivers uses standard (TC39) decorators.\n` +
      `Fix: remove "experimentalDecorators" (and "emitDecoratorMetadata") from compilerOptions in tsconfig.json.`,
  )
}

/**
 * A decorated method's asset ran before `assetsOf` bound it to its class.
 *
 * @example
 * throw unboundMethod('raw', 'raw')
 */
export function unboundMethod(assetKey: string, method: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_UNBOUND_METHOD',
    `Asset '${assetKey}' (method ${method}) ran before its class was known.\n` +
      `Fix: get decorated methods through assetsOf(Class), or list the class in defineProject({ assets }).`,
  )
}

/**
 * The run config of an asset does not match its `config` schema.
 *
 * @example
 * throw invalidConfig('model', ['epochs: expected number, received string'])
 */
export function invalidConfig(assetKey: string, problems: readonly string[]): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_CONFIG',
    `Invalid config for asset '${assetKey}':\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
      `Fix: pass config matching the asset's config schema (--config '{"${assetKey}": {…}}').`,
  )
}

/**
 * Run config for an asset has fields its config schema does not know (refused, not ignored: a
 * misspelled field would otherwise run with its default).
 *
 * @example
 * throw unknownConfigFields('model', [{ path: 'scal', suggestion: 'scale', known: ['scale', 'shift'] }])
 */
export function unknownConfigFields(
  assetKey: string,
  fields: readonly { path: string; suggestion?: string; known: readonly string[] }[],
): DefinitionError {
  const lines = fields.map((f) => {
    const where = f.path.includes('.') || f.path.includes('[') ? f.path.replace(/(\.|\[)[^.[]*$/, '') : ''
    const known = f.known.length === 0 ? 'none' : f.known.slice(0, 12).join(', ') + (f.known.length > 12 ? ', …' : '')
    const mean = f.suggestion === undefined ? '' : ` (did you mean "${f.suggestion}"?)`
    return `  - ${f.path}: not a field of the config schema${mean}; fields${where === '' ? '' : ` of ${where}`}: ${known}`
  })
  return new DefinitionError(
    'RIVERS_UNKNOWN_CONFIG_FIELD',
    `Unknown config field${fields.length === 1 ? '' : 's'} for asset '${assetKey}':\n${lines.join('\n')}\n` +
      `Fix: correct or remove ${fields.length === 1 ? 'it' : 'them'} in the run config (--config '{"${assetKey}": {…}}'); unknown fields are refused, not ignored, so a misspelled field never runs silently with its default.`,
  )
}

/**
 * Run config was given for an asset that has no `config` schema.
 *
 * @example
 * throw unexpectedConfig('plain')
 */
export function unexpectedConfig(assetKey: string): DefinitionError {
  return new DefinitionError(
    'RIVERS_INVALID_CONFIG',
    `Config was given for asset '${assetKey}', which takes none (its spec has no \`config\` schema).\n` +
      `Fix: remove '${assetKey}' from the run config, or add config: z.object({ … }) to its spec.`,
  )
}

/**
 * An asset returned a value its `output` schema rejects (a run-time failure of that asset).
 *
 * @example
 * throw invalidOutput('raw', ['[0].id: expected number, received string'])
 */
export function invalidOutput(assetKey: string, problems: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_INVALID_OUTPUT',
    `Asset '${assetKey}' returned a value that does not match its output schema:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
      `Fix: change the asset function so it returns what the schema describes, or change its output schema.`,
    { exitCode: 1 },
  )
}

/**
 * An input value does not match the schema the consumer declared in `spec.inputs`.
 *
 * @example
 * throw invalidInput('features', 'orders', ['[0].id: expected number, received string'])
 */
export function invalidInput(assetKey: string, input: string, problems: readonly string[]): RiversError {
  return new RiversError(
    'RIVERS_INVALID_INPUT',
    `Asset '${assetKey}': input '${input}' does not match its schema:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
      `Fix: make the upstream asset return what '${assetKey}'.inputs.${input} describes, or relax that schema.`,
    { exitCode: 1 },
  )
}

/**
 * A source's `observe` returned something else than `{ dataVersion?, metadata? }`.
 *
 * @example
 * throw invalidObservation('raw/orders', '`dataVersion` must be a non-empty string')
 */
export function invalidObservation(sourceKey: string, problem: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_OBSERVATION',
    `Source '${sourceKey}': observe() returned an invalid observation: ${problem}.\n` +
      `Fix: return { dataVersion?: string, metadata?: object } from observe().`,
    { exitCode: 1 },
  )
}

/**
 * A cron expression cannot be parsed, or names a value out of range, or never fires.
 *
 * @example
 * throw invalidCron('61 * * * *', 'minute 61 is out of range 0-59', 'write a minute from 0 to 59')
 */
export function invalidCron(expr: unknown, problem: string, fix: string): DefinitionError {
  const shown = typeof expr === 'string' ? `'${expr}'` : String(expr)
  return new DefinitionError('RIVERS_INVALID_CRON', `cron ${shown}: ${problem}; ${fix}`)
}

/**
 * A time zone is not an IANA name that this runtime's Intl knows.
 *
 * @example
 * throw invalidTimeZone('Europe/Zurch')
 */
export function invalidTimeZone(tz: unknown): DefinitionError {
  const shown = typeof tz === 'string' ? `'${tz}'` : String(tz)
  return new DefinitionError(
    'RIVERS_INVALID_TIMEZONE',
    `time zone ${shown} is not an IANA time zone known to this runtime; ` +
      `write a name such as 'UTC', 'Europe/Zurich' or 'America/New_York'.`,
  )
}

/**
 * A check returned something else than a boolean or `{ passed, message?, metadata? }`.
 *
 * @example
 * throw invalidCheckOutcome('raw', 'non_empty', 'a string ("yes")')
 */
export function invalidCheckOutcome(assetKey: string, checkName: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_CHECK_OUTCOME',
    `Check '${checkName}' of asset '${assetKey}' returned ${got}.\n` +
      `Fix: return a boolean, or { passed: boolean, message?: string, metadata?: object }.`,
    { exitCode: 1 },
  )
}

/**
 * `result(value, extras)` got malformed extras.
 *
 * @example
 * throw invalidResult('`dataVersion` must be a non-empty string')
 */
export function invalidResult(problem: string): RiversError {
  return new RiversError(
    'RIVERS_INVALID_RESULT',
    `result(value, extras): ${problem}.\nFix: call result(value, { metadata?: object, dataVersion?: string }).`,
    { exitCode: 1 },
  )
}
