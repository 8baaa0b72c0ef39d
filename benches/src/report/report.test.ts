import { describe, expect, it } from 'vitest'
import type { MemoryRow, Row } from '../results.js'
import { summarize } from '../stats.js'
import { groupRows, headlineTable, ratio, scenarioTable, table } from './markdown.js'
import { lineChart, ticks } from './svg.js'
import { evaluateTargets } from './targets.js'

function row(over: Partial<Row> & Pick<Row, 'scenario' | 'impl'>, p50: number): Row {
  return {
    shape: 'dbt',
    order: 'shuffled',
    n: 100_000,
    stats: { ...summarize([p50]), p99: p50 * 2 },
    work: { nodes: 100_000, edges: 210_000 },
    ...over,
  }
}

describe('markdown', () => {
  it('escapes pipes in cells', () => {
    expect(table(['a', 'b'], [['x|y', '2']])).toBe('| a | b |\n|---|---|\n| x\\|y | 2 |\n')
  })
  it('puts each baseline beside Rivers with the ratio baseline ÷ Rivers', () => {
    const rows = [
      row({ scenario: 'build', impl: 'rivers' }, 10e6),
      row({ scenario: 'build', impl: 'reference' }, 40e6),
      row({ scenario: 'build', impl: 'graphology' }, 5e6),
    ]
    const g = [...groupRows(rows).values()][0]!
    expect(ratio(g.rivers, g.reference)).toBe(4)
    const t = scenarioTable(rows, 'build')
    expect(t).toContain('| 10.0 ms |')
    expect(t).toContain('40.0 ms (4.00×)')
    expect(t).toContain('5.00 ms (0.50×)')
    expect(headlineTable(rows, 'dbt', 100_000, 'shuffled')).toContain(
      '| Build from JS keys | – | 10.0 ms | – | 4.00× (40.0 ms) | – | 0.50× (5.00 ms) |',
    )
  })
})

describe('targets', () => {
  const memory: MemoryRow[] = [
    { shape: 'dbt', order: 'shuffled', n: 100_000, edges: 200_000, heapBytes: 15_000_000, budgetBytes: 14_400_000 },
  ]
  it('passes and misses on the worse id order of the dbt graph', () => {
    const rows = [
      row({ scenario: 'replan-source', impl: 'rivers', order: 'topo' }, 40e3),
      row({ scenario: 'replan-source', impl: 'rivers', order: 'shuffled' }, 60e3),
      row({ scenario: 'build', impl: 'rivers' }, 45e6),
    ]
    const t = Object.fromEntries(evaluateTargets(rows, memory).map((x) => [x.id, x]))
    expect(t['replan-source-p50']?.verdict).toBe('MISS')
    expect(t['replan-source-p50']?.measured).toContain('60.0 µs p50')
    expect(t['build-100k']?.verdict).toBe('PASS')
    expect(t['build-1m']?.verdict).toBe('NOT MEASURED')
    expect(t.memory?.verdict).toBe('MISS')
  })
})

describe('svg', () => {
  it('ticks log axes at powers of ten', () => {
    expect(ticks(1, 1000, true)).toEqual([1, 10, 100, 1000])
    expect(ticks(0, 10, false)).toEqual([0, 2, 4, 6, 8, 10])
  })
  it('draws one polyline per series with two points or more, and escapes text', () => {
    const svg = lineChart({
      title: 'a < b',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'Rivers',
          points: [
            { x: 10, y: 1 },
            { x: 100, y: 5 },
          ],
        },
        { name: 'one point', points: [{ x: 10, y: 3 }] },
      ],
      hlines: [{ y: 2, label: 'target' }],
    })
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg.match(/<polyline/g)).toHaveLength(1)
    expect(svg.match(/<circle/g)).toHaveLength(3)
    expect(svg).toContain('a &lt; b')
    expect(svg).toContain('target')
  })
})
