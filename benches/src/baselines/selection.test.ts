import { describe, expect, it } from 'vitest'
import { NativeGraph } from '@rivers-orchestrator/native'
import { dbt } from '../graphs.js'
import { ReferencePlanner } from './reference.js'
import { TsSelector } from './selection.js'

describe('TsSelector', () => {
  const g = dbt(3000, { seed: 4, order: 'shuffled' })
  const s = new TsSelector(g, new ReferencePlanner(g).graph)
  const labels = g.labels!
  const ng = NativeGraph.build({
    keys: g.keys.join('\n'),
    depOffsets: g.depOffsets,
    deps: g.deps,
    sources: g.sources,
    labels: labels.names.join('\n'),
    labelOffsets: labels.offsets,
    labelIds: labels.ids,
  })
  const mart = g.keys.find((k) => k.includes('/mart_'))!
  const source = g.keys.find((k) => k.includes('/raw_'))!

  it.each([`+${mart}`, `${source}+`, 'tag:pii', 'group:d001', 'kind:staging', mart])(
    'selects what the native planner selects: %s',
    (expr) => {
      expect([...s.select(expr)]).toEqual([...ng.select([expr])])
    },
  )

  it('includes the asset itself and its deps in +key', () => {
    const got = s.select(`+${mart}`)
    expect(got).toContain(g.keys.indexOf(mart))
    expect(got.length).toBeGreaterThan(1)
  })
})
