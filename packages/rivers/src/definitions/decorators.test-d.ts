/**
 * Type-level tests of `@asset` and `assetsOf`, checked by `tsc --noEmit` only: the decorator syntax
 * cannot run under vitest's transformer (see decorated.fixture.ts).
 */
import { expectTypeOf } from 'vitest'
import { z } from 'zod'
import { Pipeline } from './decorated.fixture.js'
import { asset, assetsOf, ref, source, type AssetDef } from './index.js'

const handles = assetsOf(Pipeline)
expectTypeOf(handles.raw).toEqualTypeOf<AssetDef<number[]>>()
// the inputs are the method's first parameter (what `testing.runAsset` is given)
expectTypeOf(handles.sum).toEqualTypeOf<AssetDef<number, { raw: number[] }>>()
// async method returning result(): awaited and unwrapped
expectTypeOf(handles.scaled).toEqualTypeOf<AssetDef<number>>()

// decorated methods are deps like any other handle
asset({ key: 'uses_raw', deps: { raw: handles.raw } }, ({ raw }) => expectTypeOf(raw).toEqualTypeOf<number[]>())

const orders = source({ key: 'orders', path: 'orders.json', load: () => [{ id: 1 }] })

export class Checked {
  // inputs inferred from a source and a ref
  @asset({ key: 'checked/ok', deps: { orders, raw: ref<number[]>('deco/raw') } })
  ok({ orders, raw }: { orders: { id: number }[]; raw: number[] }) {
    return orders.length + raw.length
  }

  // the method may take fewer inputs than given (a wider parameter type is fine)
  @asset({ key: 'checked/wide', deps: { orders } })
  wide(inputs: { orders: unknown }) {
    return inputs.orders
  }

  // @ts-expect-error the method's inputs ask for strings, the dep gives { id: number }[]
  @asset({ key: 'checked/bad_input', deps: { orders } })
  badInput({ orders }: { orders: string[] }) {
    return orders
  }

  // @ts-expect-error the method wants an input `missing` that the spec does not declare
  @asset({ key: 'checked/missing_input', deps: { orders } })
  missingInput({ missing }: { missing: number }) {
    return missing
  }

  // @ts-expect-error ctx.config is { epochs: number }, not { epochs: string }
  @asset({ key: 'checked/bad_config', config: z.object({ epochs: z.number() }) })
  badConfig(_inputs: {}, ctx: { config: { epochs: string } }) {
    return ctx.config.epochs
  }

  // @ts-expect-error returns a string but the output schema says number
  @asset({ key: 'checked/bad_output', output: z.number() })
  badOutput() {
    return 'x'
  }
}
