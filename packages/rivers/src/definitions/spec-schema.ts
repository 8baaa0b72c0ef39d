/**
 * Zod schemas of the specs users write (`asset`, `source`, `defineProject`) and the translation of
 * zod issues into `SpecIssue`s with a hint per field. Only shapes are checked here; keys and deps get
 * their own, more specific errors.
 */
import type { z } from 'zod'
import { zodModule } from './zod-module.js'
import { isPartitionMapping } from '../partitions/mapping.js'
import { isPartitionDefinition } from '../partitions/types.js'
import { conditionIssues, isCondition } from './automation.js'
import { parseDuration } from './duration.js'
import type { SpecIssue } from './errors.js'
import { isMappedDep } from './handles.js'
import { keyProblem } from './key.js'
import { parseQuantity } from './quantity.js'
import { closest } from './suggest.js'

/**
 * Characters allowed in a group, tag or owner label (shared with the fast path in spec-fast.ts).
 *
 * @example
 * LABEL.test('team:ml') // true
 */
export const LABEL = /^[A-Za-z0-9_.\-/:@+]+$/
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Variables a launcher sets itself; an asset's `env` may not override them. */
const RESERVED_ENV = /^(RIVERS_.*|CUDA_VISIBLE_DEVICES|CUDA_DEVICE_ORDER)$/

/**
 * Whether `v` is a zod 4 schema (classic or mini, from any copy of zod).
 *
 * @example
 * isZodSchema(z.number()) // true
 */
export function isZodSchema(v: unknown): v is z.ZodType {
  return typeof v === 'object' && v !== null && '_zod' in v
}

/**
 * Whether `v` is a zod 3 schema (zod@3, or zod 4's `zod/v3`): it has zod 3's `_def` and `safeParse`
 * and none of zod 4's `_zod` internals.
 *
 * @example
 * isZod3Schema(z3.number()) // true for `import { z as z3 } from 'zod/v3'`
 */
export function isZod3Schema(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !('_zod' in v) &&
    '_def' in v &&
    typeof (v as { safeParse?: unknown }).safeParse === 'function'
  )
}

/** The zod module (`import * as z from 'zod'`'s `z`). */
type Zod = typeof import('zod').z

/** Builds the spec schemas; called once, on the first check (see {@link specSchema}). */
function build(z: Zod) {
  const fn = (what: string) => z.custom<Function>((v) => typeof v === 'function', { error: `expected ${what}` })
  const schema = z.custom<z.ZodType>(isZodSchema, { error: 'expected a zod schema' })
  const label = z
    .string({ error: 'expected a string' })
    .regex(LABEL, { error: 'only A-Z a-z 0-9 _ . - / : @ + are allowed' })
  const duration = (min: 'positive' | 'non-negative') =>
    z.custom<number | string>(
      (v) => {
        const ms = parseDuration(v)
        return ms !== undefined && (min === 'non-negative' || ms > 0)
      },
      {
        error:
          min === 'positive'
            ? 'expected a positive number of milliseconds or a duration string'
            : 'expected milliseconds or a duration string',
      },
    )
  const int = (min: number) =>
    z
      .number({ error: `expected an integer >= ${min}` })
      .int({ error: `expected an integer >= ${min}` })
      .min(min, { error: `expected an integer >= ${min}` })

  const retrySchema = z.strictObject({
    maxRetries: int(0),
    delay: duration('non-negative').optional(),
    backoff: z.enum(['exponential', 'linear', 'fixed']).optional(),
    jitter: z
      .union([z.boolean(), z.number().min(0).max(1)], { error: 'expected a boolean or a number from 0 to 1' })
      .optional(),
    retryOn: fn('a function (error, attempt) => boolean').optional(),
  })

  const retentionSchema = z
    .strictObject({
      keep: int(1).optional(),
      maxAge: duration('positive').optional(),
    })
    .refine((r) => r.keep !== undefined || r.maxAge !== undefined, {
      message: 'a retention policy needs keep or maxAge',
    })

  const margin = z.union([z.boolean(), z.number().min(0)], { error: 'expected true or a margin >= 0' })
  const metricRuleSchema = z
    .strictObject({
      atLeast: z.number().optional(),
      atMost: z.number().optional(),
      notBelowCurrent: margin.optional(),
      notAboveCurrent: margin.optional(),
    })
    .refine((r) => Object.values(r).some((v) => v !== undefined && v !== false), {
      message: 'a gate rule needs atLeast, atMost, notBelowCurrent or notAboveCurrent',
    })
  const modelSchema = z.strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_./-]+$/, { error: 'expected a name of A-Z a-z 0-9 _ . - /' })
      .optional(),
    gate: z
      .record(z.string().regex(/^[A-Za-z0-9_./:-]+$/, { error: 'expected a metric name' }), metricRuleSchema)
      .optional(),
  })

  const checkSchema = z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'expected a name of A-Z a-z 0-9 _ . -' }),
    blocking: z.boolean().optional(),
    description: z.string().optional(),
    fn: fn('a function (value, ctx) => boolean | { passed, message?, metadata? }'),
  })

  const resourcesSchema = z
    .strictObject({
      gpus: int(0).optional(),
      gpuType: z.string().min(1).optional(),
      cpus: z.number().positive({ error: 'expected a positive number' }).optional(),
      memory: z
        .custom<number | string>((v) => parseQuantity(v) !== undefined, {
          error: "expected bytes or a Kubernetes quantity such as '16Gi', '512Mi' or '2G'",
        })
        .optional(),
      timeLimit: duration('positive').optional(),
      nodes: int(1).optional(),
      gpusPerNode: int(0).optional(),
    })
    .superRefine((r, ctx) => {
      const nodes = r.nodes ?? 1
      if (r.gpuType !== undefined && (r.gpus ?? r.gpusPerNode ?? 0) === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['gpuType'],
          message: 'gpuType is given but no GPUs are asked for',
          params: { hint: 'add gpus: 1 (or gpusPerNode), or remove gpuType.' },
        })
      }
      if (nodes > 1 && r.gpus !== undefined && r.gpusPerNode === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['gpus'],
          message: `with nodes: ${nodes}, say how many GPUs each node gets`,
          params: {
            hint: `write gpusPerNode: ${Math.ceil(r.gpus / nodes)} instead of gpus (gpus counts GPUs on one node).`,
          },
        })
      } else if (r.gpus !== undefined && r.gpusPerNode !== undefined && r.gpus !== nodes * r.gpusPerNode) {
        ctx.addIssue({
          code: 'custom',
          path: ['gpusPerNode'],
          message: `gpus (${r.gpus}) disagrees with nodes x gpusPerNode (${nodes} x ${r.gpusPerNode})`,
          params: { hint: 'give only gpusPerNode (and nodes) for multi-node jobs, or only gpus for one node.' },
        })
      }
    })

  const commandSchema = z.union(
    [
      z
        .array(z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' }))
        .min(1, { error: 'expected at least the program' }),
      fn('a function (inputs, ctx) => string[]'),
    ],
    { error: "expected an array of strings such as ['python', 'train.py'], or a function (inputs, ctx) => string[]" },
  )

  const envSchema = z.record(z.string(), z.string({ error: 'expected a string value' })).superRefine((env, ctx) => {
    for (const name of Object.keys(env)) {
      if (!ENV_NAME.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: `'${name}' is not a valid environment variable name` })
      else if (RESERVED_ENV.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `'${name}' is set by the launcher`,
          params: {
            hint: 'RIVERS_* variables carry the job protocol and CUDA_VISIBLE_DEVICES comes from resources.gpus; remove it from env.',
          },
        })
    }
  })

  const sshSchema = z.strictObject({
    host: z.string().min(1, { error: 'expected a host name' }),
    user: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535, { error: 'expected a port from 1 to 65535' }).optional(),
    identityFile: z.string().min(1).optional(),
    options: z.array(z.string()).optional(),
  })

  const launcherConfigSchema = z.discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('local'),
        gpus: z
          .string()
          .regex(/^\s*(none|\d+(\s*,\s*\d+)*\s*,?)\s*$/, {
            error: "expected 'none', a count such as '2', or indices such as '0,1' (one index: '3,')",
          })
          .optional(),
        lockDir: z.string().min(1).optional(),
        killGrace: duration('non-negative').optional(),
        pollInterval: duration('positive').optional(),
        functions: z.enum(['in-process', 'worker']).optional(),
      }),
      z.strictObject({
        type: z.literal('slurm'),
        partition: z.string().min(1).optional(),
        account: z.string().min(1).optional(),
        qos: z.string().min(1).optional(),
        ssh: sshSchema.optional(),
        sbatchArgs: z
          .array(z.string().regex(/^--?[A-Za-z]/, { error: "expected an option such as '--constraint=ib'" }))
          .optional(),
        setup: z.array(z.string()).optional(),
        jobsDir: z.string().min(1).optional(),
        pollInterval: duration('positive').optional(),
        maxRequeues: z.number().int().nonnegative().optional(),
      }),
    ],
    { error: "expected 'local', 'slurm', or { type: 'local' | 'slurm', ... }" },
  )

  // A plugin's launcher (`registerLauncher('ray', …)`): its settings are its own to check. It aborts
  // on a built-in type, so a mistake in `{ type: 'slurm', … }` is still reported field by field.
  const pluginLauncherSchema = z.looseObject({
    type: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, { abort: true })
      .refine((t) => t !== 'local' && t !== 'slurm', { abort: true }),
  })

  const launcherSchema = z.union([z.enum(['local', 'slurm']), launcherConfigSchema, pluginLauncherSchema], {
    error: "expected 'local', 'slurm', or { type: 'local' | 'slurm', ... }",
  })

  const ioSchema = z.custom<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { write?: unknown }).write === 'function' &&
      typeof (v as { read?: unknown }).read === 'function',
    { error: 'expected an IO manager (an object with write() and read() methods)' },
  )

  const labelFields = {
    description: z.string().optional(),
    group: label.optional(),
    tags: z.record(label, z.union([label, z.literal(true)], { error: 'expected a string value or true' })).optional(),
    kinds: z.array(label).optional(),
    owners: z.array(label).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
  }

  const depsSchema = z.record(z.string(), z.unknown(), {
    error: 'expected an object mapping input names to upstream assets',
  })

  const assetSpecSchema = z
    .strictObject({
      key: z.string(),
      deps: depsSchema.optional(),
      ...labelFields,
      codeVersion: z.string().min(1, { error: 'expected a non-empty string' }).optional(),
      config: schema.optional(),
      output: schema.optional(),
      inputs: z.record(z.string(), schema).optional(),
      retry: retrySchema.optional(),
      retention: retentionSchema.optional(),
      timeout: duration('positive').optional(),
      checks: z.array(checkSchema).optional(),
      io: ioSchema.optional(),
      resources: resourcesSchema.optional(),
      command: commandSchema.optional(),
      env: envSchema.optional(),
      cwd: z.string().min(1, { error: 'expected a non-empty path' }).optional(),
      launcher: launcherSchema.optional(),
      automation: z.custom<{ node: never }>(isCondition, { error: 'expected a condition' }).optional(),
      partitions: z
        .custom<object>(isPartitionDefinition, {
          error: 'expected a partition definition (daily, hourly, weekly, monthly, staticPartitions, …)',
        })
        .optional(),
      batch: z.number().int({ error: 'expected a whole number' }).min(1, { error: 'expected at least 1' }).optional(),
      model: z.union([z.literal(true), modelSchema], { error: 'expected true or { name?, gate? }' }).optional(),
    })
    .superRefine((spec, ctx) => {
      if (spec.model !== undefined && spec.partitions !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['model'],
          message: 'a partitioned asset cannot be a registered model (each partition has its own value)',
          params: {
            hint: 'register an unpartitioned asset downstream that combines the partitions, or remove partitions.',
          },
        })
      if (spec.batch !== undefined && spec.partitions === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['batch'],
          message: 'batch applies to a partitioned asset, and this asset has no partitions',
          params: { hint: "add partitions (e.g. daily({ start: '2024-01-01' })), or remove batch." },
        })
      if (spec.batch !== undefined && spec.command !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['batch'],
          message: 'a command asset runs one job per partition and cannot be batched',
          params: { hint: 'remove batch, or compute the partitions in a function asset.' },
        })
      if (spec.automation !== undefined)
        for (const i of conditionIssues(spec.automation.node))
          ctx.addIssue({ code: 'custom', path: i.path.split('.'), message: i.problem, params: { hint: i.hint } })
      for (const field of ['env', 'cwd'] as const) {
        if (spec[field] !== undefined && spec.command === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `${field} applies to a command, and this asset has none`,
            params: {
              hint: `add command: ['python', 'train.py'], or remove ${field} (a function asset runs in this process).`,
            },
          })
        }
      }
      for (const name of Object.keys(spec.inputs ?? {})) {
        if (!Object.hasOwn(spec.deps ?? {}, name))
          ctx.addIssue({ code: 'custom', path: ['inputs', name], message: `there is no dep named '${name}'` })
      }
      for (const [name, given] of Object.entries(spec.deps ?? {})) {
        if (isMappedDep(given) && given.mapping !== undefined && !isPartitionMapping(given.mapping))
          ctx.addIssue({
            code: 'custom',
            path: ['deps', name],
            message: "mapped()'s second argument is not a partition mapping",
            params: {
              hint: `write mapped(dep, mapping.window({ length: 7 })) (or another mapping.* value), or mapped(dep) for the default.`,
            },
          })
        const dep = isMappedDep(given) ? given.dep : given
        if (typeof dep !== 'string') continue
        const problem = keyProblem(dep)
        if (problem !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['deps', name],
            message: `'${dep}' is not a valid asset key: ${problem}`,
          })
      }
      const seen = new Set<string>()
      for (const [i, c] of (spec.checks ?? []).entries()) {
        if (seen.has(c.name))
          ctx.addIssue({ code: 'custom', path: ['checks', i, 'name'], message: `duplicate check name '${c.name}'` })
        seen.add(c.name)
      }
    })

  const sourceSpecSchema = z
    .strictObject({
      key: z.string(),
      path: z.string().min(1, { error: 'expected a non-empty path' }).optional(),
      observe: fn('a function (ctx) => { dataVersion?, metadata? }').optional(),
      load: fn('a function (ctx) => value').optional(),
      every: duration('positive').optional(),
      partitions: z.unknown().optional(),
      reportedBy: z
        .string()
        .regex(LABEL, { error: 'expected the name of a sensor (A-Z a-z 0-9 _ . - / : @ +)' })
        .optional(),
      ...labelFields,
    })
    .superRefine((spec, ctx) => {
      if (spec.partitions !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['partitions'],
          message: 'sources cannot be partitioned yet',
          params: { hint: 'remove partitions here; partition the asset that reads it and filter by ctx.partition.' },
        })
      if (spec.reportedBy !== undefined) {
        for (const field of ['observe', 'every'] as const)
          if (spec[field] !== undefined)
            ctx.addIssue({
              code: 'custom',
              path: [field],
              message: `a source reported by a sensor gets its data versions from the sensor's reports, not from \`${field}\``,
              params: { hint: `drop \`${field}\`, or drop reportedBy and let Rivers observe the source.` },
            })
        return
      }
      if (spec.path === undefined && spec.observe === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: 'a source needs `path`, `observe` or `reportedBy` to know its data version',
          params: {
            hint: "give path: 'data/orders.csv' (the executor content-hashes it), observe: (ctx) => ({ dataVersion: '…' }), or reportedBy: 'a_sensor' (its reports carry the versions).",
          },
        })
      }
    })

  const projectOptionsSchema = z.strictObject({
    assets: z.array(z.unknown(), { error: 'expected an array of assets' }),
    name: z.string().min(1).optional(),
    io: ioSchema.optional(),
    retry: retrySchema.optional(),
    retention: retentionSchema.optional(),
    launcher: launcherSchema.optional(),
    concurrency: int(1).optional(),
    schedules: z.array(z.unknown(), { error: 'expected an array of schedule() values' }).optional(),
    sensors: z.array(z.unknown(), { error: 'expected an array of sensor() values' }).optional(),
    store: z
      .union(
        [
          z.string().regex(/^postgres(ql)?:\/\/./i, {
            error: "expected a postgres:// URL (or { env: 'VARIABLE' }, the variable that holds it)",
          }),
          z.strictObject({
            env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
              error: 'expected the name of an environment variable (letters, digits and _), e.g. TEAM_STORE_URL',
            }),
          }),
        ],
        { error: "expected a postgres:// URL, or { env: 'VARIABLE' } naming the variable that holds it" },
      )
      .optional(),
  })
  return { asset: assetSpecSchema, source: sourceSpecSchema, project: projectOptionsSchema }
}

let built: ReturnType<typeof build> | undefined

/**
 * A spec schema, built on its first check: importing the library neither loads zod nor builds
 * schemas (valid specs mostly pass `spec-fast.ts` and never get here).
 *
 * @example
 * const issues = specIssues(assetSpecSchema, { key: 'raw' }) // builds the schemas once
 */
export interface SpecSchema {
  /** Which spec: `asset(spec)`, `source(spec)` or `defineProject(options)`. */
  readonly spec: 'asset' | 'source' | 'project'
}

/**
 * The zod schema of a spec (zod is loaded and every schema built on the first call).
 *
 * @example
 * specSchema(assetSpecSchema).safeParse({ key: 'raw' }).success // true
 */
export function specSchema(spec: SpecSchema): z.ZodType {
  built ??= build(zodModule().z)
  return built[spec.spec]
}

/**
 * Shape of `asset(spec)` (deps are checked one by one elsewhere).
 *
 * @example
 * specIssues(assetSpecSchema, { key: 'raw', timeout: '5m' }) // []
 */
export const assetSpecSchema: SpecSchema = { spec: 'asset' }

/**
 * Shape of `source(spec)`.
 *
 * @example
 * specIssues(sourceSpecSchema, { key: 'raw/orders', path: 'orders.csv' }) // []
 */
export const sourceSpecSchema: SpecSchema = { spec: 'source' }

/**
 * Shape of `defineProject(options)` (entries of `assets` are checked one by one elsewhere).
 *
 * @example
 * specIssues(projectOptionsSchema, { assets: [], concurrency: 4 }) // []
 */
export const projectOptionsSchema: SpecSchema = { spec: 'project' }

/** Field names people reach for, mapped to the ones Rivers uses. */
const SYNONYMS: Record<string, string> = {
  dependencies: 'deps',
  depends_on: 'deps',
  dependsOn: 'deps',
  upstream: 'deps',
  ins: 'deps',
  name: 'key',
  id: 'key',
  tag: 'tags',
  labels: 'tags',
  kind: 'kinds',
  owner: 'owners',
  schema: 'output',
  outputSchema: 'output',
  configSchema: 'config',
  retries: 'retry',
  retryPolicy: 'retry',
  timeoutMs: 'timeout',
  version: 'codeVersion',
  code_version: 'codeVersion',
  resource: 'resources',
  cmd: 'command',
  args: 'command',
  argv: 'command',
  environment: 'env',
  workdir: 'cwd',
  workingDir: 'cwd',
  executor: 'launcher',
  ioManager: 'io',
  io_manager: 'io',
  file: 'path',
}

const HINTS: Record<string, string> = {
  deps: "deps maps input names to upstream assets, e.g. { orders: rawOrders } or { orders: 'raw/orders' }.",
  group: "names use A-Z a-z 0-9 and _ . - / : @ + (no spaces or '='), e.g. group: 'ingest'.",
  tags: "tags map a name to a string or true, e.g. { pii: true, tier: 'gold' }; names and values use A-Z a-z 0-9 _ . - / : @ +.",
  kinds: "kinds is an array of names, e.g. ['duckdb', 'pytorch'].",
  owners: "owners is an array of names, e.g. ['team:ml', 'ana@example.com'].",
  metadata: "metadata is a plain object, e.g. { source: 'warehouse' }.",
  codeVersion: "a non-empty string; change it when the asset's behaviour changes.",
  config: 'config is a zod schema, e.g. z.object({ epochs: z.number().default(10) }).',
  output: 'output is a zod schema of the returned value, e.g. z.array(z.object({ id: z.number() })).',
  inputs: 'inputs maps input names (from deps) to zod schemas, e.g. { orders: z.array(Order) }.',
  retry:
    "retry is { maxRetries: 3, delay?: '10s', backoff?: 'exponential' | 'linear' | 'fixed', jitter?: 0..1 | boolean, retryOn?: (error, attempt) => boolean }.",
  retention:
    "retention is { keep?: 3, maxAge?: '30d' }: keep the artifacts of the 3 newest materializations, and of those younger than 30 days.",
  timeout: "timeout is a positive number of milliseconds or a duration such as '30s', '5m', '2h'.",
  checks:
    'checks is an array of check(name, fn, { blocking }) or { name, fn, blocking?, description? } with unique names.',
  io: 'io is an IO manager: an object with write() and read() methods.',
  resources: "resources is { gpus?, gpuType?, cpus?, memory?: '16Gi', timeLimit?: '4h', nodes?, gpusPerNode? }.",
  command:
    "command is the program and its arguments, e.g. ['python', 'train.py', '--epochs', '10'], or (inputs, ctx) => [...].",
  env: "env maps variable names to string values, e.g. { WANDB_MODE: 'offline' }.",
  cwd: "cwd is the folder the command runs in, e.g. 'training' (relative to the current folder) or an absolute path.",
  launcher:
    "launcher is 'local', 'slurm', or { type: 'slurm', partition?, account?, qos?, ssh?: { host }, sbatchArgs?, setup?, jobsDir?, pollInterval?, maxRequeues? } or { type: 'local', gpus?, lockDir?, killGrace?, pollInterval?, functions? }, or { type: 'ray', ... } for a launcher a plugin registers.",
  path: "path is the file the source reads, e.g. 'data/orders.csv' (relative to the project file).",
  observe: 'observe(ctx) returns { dataVersion?: string, metadata?: object } (or a promise of it).',
  automation: "automation is a condition built with when, e.g. when.eager().and(when.rateLimit('10m')).",
  partitions:
    "partitions is a partition definition, e.g. daily({ start: '2024-01-01' }), staticPartitions(['eu', 'us']) or partitionProduct({ date: daily(…), region: staticPartitions(…) }).",
  batch: 'batch is how many partitions one call of the function builds, a positive integer (e.g. 1000).',
  every: "every is how often the daemon re-observes the source, e.g. '30s' (default: every tick).",
  schedules: 'schedules is an array of schedule({ name, cron, select }).',
  sensors: 'sensors is an array of sensor({ name, evaluate }).',
  load: 'load(ctx) returns the value consumers receive (or a promise of it).',
  concurrency: 'concurrency is the number of assets run at once, a positive integer.',
  assets: 'assets is an array of asset()/source() values and classes with @asset methods.',
}

/**
 * Check `value` against a spec schema and return its issues (empty when valid), with field hints.
 *
 * @example
 * specIssues(assetSpecSchema, { key: 'a', timeout: 'soon' }) // [{ path: 'timeout', problem: '…', hint: '…' }]
 */
export function specIssues(spec: SpecSchema, value: unknown): SpecIssue[] {
  const schema = specSchema(spec)
  const parsed = schema.safeParse(value)
  if (parsed.success) return []
  const shape = shapeKeys(schema)
  const issues: SpecIssue[] = []
  for (const issue of parsed.error.issues) {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join('')
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : ''
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = path === '' ? key : `${path}.${key}`
        const synonym = Object.hasOwn(SYNONYMS, key) ? SYNONYMS[key] : undefined
        const guess =
          path !== '' ? undefined : synonym !== undefined && shape.includes(synonym) ? synonym : closest(key, shape)
        const hint =
          guess !== undefined
            ? `did you mean '${guess}'?`
            : path === ''
              ? `known fields: ${shape.join(', ')}.`
              : HINTS[field]
        issues.push({ path: full, problem: 'unknown field', hint })
      }
      continue
    }
    const own = issue.code === 'custom' ? (issue.params as { hint?: string } | undefined)?.hint : undefined
    issues.push({ path, problem: issue.message, hint: own ?? HINTS[field] })
  }
  return issues
}

function shapeKeys(spec: z.ZodType): string[] {
  const def = (spec as unknown as { def?: { shape?: object; in?: { def?: { shape?: object } } } }).def
  const shape = def?.shape ?? def?.in?.def?.shape
  return shape ? Object.keys(shape) : []
}
