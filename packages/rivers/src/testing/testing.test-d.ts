/**
 * Type-level tests of `runAsset`/`runAssets`, checked by `tsc --noEmit`: inputs are typed from the
 * asset's deps (a missing, extra or mistyped input is a compile error), config from its schema,
 * and `value` from the handle.
 */
import { expectTypeOf } from 'vitest'
import { z } from 'zod'

import { asset, defineProject, ref, source } from '../index.js'
import { type AssetTestResult, runAsset, runAssets } from './index.js'

const raw = asset({ key: 'raw' }, () => [1, 2, 3])
const bytes = source({ key: 'bytes', path: 'x.bin' })
const labels = source({ key: 'labels', path: 'l.json', load: () => ['a'] })
const joined = asset(
  { key: 'joined', deps: { raw, bytes, labels, later: ref<{ n: number }>('later') } },
  ({ raw, labels }) => ({ rows: raw.length, labels }),
)
const model = asset(
  { key: 'model', deps: { raw }, config: z.object({ epochs: z.number().default(3), lr: z.number() }) },
  ({ raw }, ctx) => raw.length * ctx.config.epochs * ctx.config.lr,
)

async function typed(): Promise<void> {
  const r = await runAsset(joined, { inputs: { raw: [1], bytes: Buffer.from('x'), labels: ['b'], later: { n: 1 } } })
  expectTypeOf(r).toEqualTypeOf<AssetTestResult<{ rows: number; labels: string[] }>>()
  expectTypeOf(r.value).toEqualTypeOf<{ rows: number; labels: string[] }>()

  // @ts-expect-error an input is missing
  await runAsset(joined, { inputs: { raw: [1], bytes: Buffer.from('x'), labels: ['b'] } })
  // @ts-expect-error an input that is not a dep
  await runAsset(joined, { inputs: { raw: [1], bytes: Buffer.from('x'), labels: ['b'], later: { n: 1 }, extra: 1 } })
  // @ts-expect-error an input of the wrong type
  await runAsset(joined, { inputs: { raw: ['1'], bytes: Buffer.from('x'), labels: ['b'], later: { n: 1 } } })
  // @ts-expect-error an asset with inputs needs them
  await runAsset(joined)

  // no inputs: no options needed
  expectTypeOf((await runAsset(raw)).value).toEqualTypeOf<number[]>()

  // config: z.input of the schema, defaulted fields optional
  await runAsset(model, { inputs: { raw: [1] }, config: { lr: 0.1 } })
  // @ts-expect-error lr has no default
  await runAsset(model, { inputs: { raw: [1] }, config: { epochs: 2 } })
  // @ts-expect-error epochs is a number
  await runAsset(model, { inputs: { raw: [1] }, config: { lr: 0.1, epochs: '2' } })

  const all = await runAssets(defineProject({ assets: [model] }), { select: [model], values: { raw: [1] } })
  expectTypeOf(all.get(model).value).toEqualTypeOf<number>()
}
void typed
