/**
 * The edits of the differential test, as data (so a failing sequence can be replayed and shrunk),
 * each with its oracle: which assets' code versions it may change and which it must change.
 */
import { assetClosure, moduleFile, moduleImports, sourceKeys, type AssetModel, type Model, type Rng } from './model.js'

/** Kinds of edits, in the order of the report. */
export const EDIT_KINDS = [
  'helper',
  'constant',
  'factoryArg',
  'package',
  'linked',
  'configDefault',
  'source',
  'addDep',
  'removeDep',
  'ownFn',
  'ownFnSameResult',
  'rewire',
  'addAsset',
  'comment',
  'noop',
] as const

export type EditKind = (typeof EDIT_KINDS)[number]

/** One edit: its kind, its target (an index or a key) and a small random number. */
export interface Edit {
  kind: EditKind
  target: string
  value: number
}

/** What an applied edit must and may change. */
export interface Expectation {
  /** Assets whose code version must change. */
  must: Set<string>
  /** Assets whose code version may change (a superset of `must`). */
  may: Set<string>
  /** True when nothing at all may run afterwards. */
  nothingRuns: boolean
}

/**
 * A random edit that applies to `model`.
 *
 * @example
 * const edit = randomEdit(model, rng)
 */
export function randomEdit(model: Model, rng: Rng): Edit {
  for (;;) {
    const kind = rng.pick(EDIT_KINDS)
    const value = 1 + rng.int(5)
    const plain = model.assets.filter((a) => a.kind === 'plain')
    let target = ''
    if (kind === 'helper' || kind === 'rewire' || kind === 'comment') target = String(rng.int(model.helpers.length))
    else if (kind === 'constant') target = String(rng.int(model.consts.length))
    else if (kind === 'source') target = String(rng.int(model.sources.length))
    else if (kind === 'factoryArg')
      target = rng.pick(
        model.assets
          .filter((a) => a.kind === 'factory')
          .map((a) => a.key)
          .concat(['']),
      )
    else if (kind === 'configDefault')
      target = rng.pick(
        plain
          .filter((a) => a.configDefault !== null)
          .map((a) => a.key)
          .concat(['']),
      )
    else if (kind === 'addDep' || kind === 'removeDep' || kind === 'ownFn' || kind === 'ownFnSameResult')
      target = rng.pick(plain).key
    const edit = { kind, target, value }
    // Try it on a copy: only edits that apply are returned.
    if (applyEdit(structuredClone(model), edit) !== undefined) return edit
  }
}

/**
 * Applies `edit` to `model` (in place); `undefined` when it does not apply (then nothing changed).
 *
 * @example
 * const expectation = applyEdit(model, { kind: 'constant', target: '1', value: 2 })
 */
export function applyEdit(model: Model, edit: Edit): Expectation | undefined {
  const users = (file: string): Set<string> =>
    new Set(model.assets.filter((a) => assetClosure(model, a).has(file)).map((a) => a.key))
  const same = (keys: Set<string>): Expectation => ({ must: keys, may: new Set(keys), nothingRuns: false })
  const asset = (key: string): AssetModel | undefined => model.assets.find((a) => a.key === key)
  const n = Number(edit.target)
  switch (edit.kind) {
    case 'helper': {
      const h = model.helpers[n]
      if (h === undefined) return undefined
      h.add = (h.add + edit.value) % 10
      return same(users(`src/h${n}.ts`))
    }
    case 'rewire': {
      const h = model.helpers[n]
      if (h === undefined) return undefined
      const before = users(`src/h${n}.ts`)
      const options = [null, ...Array.from({ length: model.helpers.length - n - 1 }, (_, j) => n + 1 + j)].filter(
        (x) => x !== h.next,
      )
      if (options.length === 0) return undefined
      h.next = options[edit.value % options.length]!
      const after = users(`src/h${n}.ts`)
      return same(new Set([...before, ...after]))
    }
    case 'constant': {
      if (model.consts[n] === undefined) return undefined
      model.consts[n] = model.consts[n]! + edit.value
      return same(users('src/consts.ts'))
    }
    case 'source': {
      if (model.sources[n] === undefined) return undefined
      model.sources[n] = `${model.sources[n]},${edit.value}`
      return same(new Set())
    }
    case 'package': {
      model.pkg = { version: model.pkg.version + 1, mul: 2 + ((model.pkg.mul + edit.value) % 5) }
      return same(users('localpkg'))
    }
    case 'linked': {
      model.linked.add = (model.linked.add + edit.value) % 10
      return same(users('linkedpkg'))
    }
    case 'factoryArg': {
      const a = asset(edit.target)
      if (a === undefined || a.kind !== 'factory') return undefined
      a.factor = changed(a.factor, 2 + ((a.factor + edit.value) % 7))
      // In the project file the call is a masked `const`; in an asset module it is exported (not masked).
      return a.file === model.modules ? same(new Set([a.key])) : same(users(moduleFile(model, a.file)))
    }
    case 'configDefault': {
      const a = asset(edit.target)
      if (a === undefined || a.configDefault === null) return undefined
      a.configDefault = changed(a.configDefault, 1 + ((a.configDefault + edit.value) % 5))
      return same(new Set([a.key]))
    }
    case 'ownFn':
    case 'ownFnSameResult': {
      const a = asset(edit.target)
      if (a === undefined || a.kind !== 'plain') return undefined
      if (edit.kind === 'ownFn') a.own = 10 + ((a.own + edit.value) % 80)
      else a.padded = !a.padded
      return same(new Set([a.key]))
    }
    case 'addDep':
    case 'removeDep': {
      const a = asset(edit.target)
      if (a === undefined || a.kind !== 'plain') return undefined
      const index = model.assets.indexOf(a)
      const file = moduleFile(model, a.file)
      const importsBefore = moduleImports(model, a.file).join('\n')
      const closureUsers = users(file)
      const sourcesBefore = usedSources(model)
      if (edit.kind === 'addDep') {
        const candidates = [
          ...sourceKeys(model),
          ...model.assets
            .slice(0, index)
            .filter((b) => b.file <= a.file)
            .map((b) => b.key),
        ].filter((k) => !a.deps.includes(k))
        if (candidates.length === 0) return undefined
        a.deps.push(candidates[edit.value % candidates.length]!)
      } else {
        if (a.deps.length < 2) return undefined
        a.deps.splice(edit.value % a.deps.length, 1)
      }
      // A new or dropped import changes the module's text outside every definition.
      if (moduleImports(model, a.file).join('\n') !== importsBefore)
        return same(new Set([...closureUsers, ...users(file)]))
      // A source that joins or leaves the project: its definition is masked in its module, or no
      // longer, so that module's text changes for everyone who sees it (a known imprecision).
      if (usedSources(model) !== sourcesBefore) {
        const first = moduleFile(model, 0)
        return { must: new Set([a.key]), may: new Set([a.key, ...users(first)]), nothingRuns: false }
      }
      return same(new Set([a.key]))
    }
    case 'noop': {
      model.unused++
      return { must: new Set(), may: new Set(), nothingRuns: true }
    }
    case 'comment': {
      // Comments and blank lines are not code: nothing changes, nothing runs.
      if (model.comments[n] === undefined) return undefined
      model.comments[n]++
      return { must: new Set(), may: new Set(), nothingRuns: true }
    }
    case 'addAsset': {
      // A new asset in the project file, reading earlier assets it already imports: the others of
      // that file keep their code versions (its statement and its place in the assets list are masked).
      const earlier = model.assets.map((a) => a.key)
      model.assets.push({
        key: `a${model.assets.length}`,
        file: model.modules,
        kind: 'plain',
        deps: [earlier[edit.value % earlier.length]!],
        own: 10 + edit.value,
        padded: false,
        helper: null,
        configDefault: null,
        usesPkg: false,
        usesLinked: false,
        factor: 2,
      })
      return same(new Set())
    }
  }
}

/** `next`, or `next + 1` wrapped into the same range when it equals `old` (an edit must change something). */
function changed(old: number, next: number): number {
  return next === old ? next + 1 : next
}

/** The sources some asset reads, as one string. */
function usedSources(model: Model): string {
  return sourceKeys(model)
    .filter((k) => model.assets.some((a) => a.deps.includes(k)))
    .join(',')
}

/**
 * A readable line for a failing sequence.
 *
 * @example
 * describeEdit({ kind: 'constant', target: '1', value: 2 }) // 'constant K1 += 2'
 */
export function describeEdit(edit: Edit): string {
  switch (edit.kind) {
    case 'helper':
      return `helper h${edit.target}: add += ${edit.value}`
    case 'rewire':
      return `helper h${edit.target}: calls another helper (${edit.value})`
    case 'comment':
      return `helper h${edit.target}: a comment line`
    case 'constant':
      return `constant K${edit.target} += ${edit.value}`
    case 'source':
      return `source s${edit.target}: append ${edit.value}`
    default:
      return `${edit.kind} ${edit.target} (${edit.value})`
  }
}
