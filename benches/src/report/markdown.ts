/**
 * The Markdown report: machine, targets with verdicts, headline ratios, charts, then one table per
 * scenario with Rivers' p50/p99/min/max beside each baseline's p50 and the ratio baseline ÷ Rivers.
 */
import {
  IMPL_NAMES,
  IMPLS,
  SCENARIOS,
  type BenchReport,
  type Impl,
  type MemoryRow,
  type Row,
  type ScenarioId,
} from '../results.js'
import { formatBytes, formatCount, formatNs, formatRatio } from '../stats.js'

/** Escapes a table cell. */
export function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/**
 * A Markdown table.
 * @example table(['a', 'b'], [['1', '2']]) // '| a | b |\n|---|---|\n| 1 | 2 |\n'
 */
export function table(head: readonly string[], body: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(' | ')} |`
  return `${[line(head), `|${head.map(() => '---').join('|')}|`, ...body.map(line)].join('\n')}\n`
}

/** Identity of the graph and variant a row measured (rows of one group compare implementations). */
export function groupKey(r: Row): string {
  return `${r.scenario}|${r.variant ?? ''}|${r.shape}|${r.order}|${r.n}`
}

/** Rows grouped by `groupKey`, implementations by name, in first-seen order. */
export function groupRows(rows: readonly Row[]): Map<string, Partial<Record<Impl, Row>>> {
  const groups = new Map<string, Partial<Record<Impl, Row>>>()
  for (const r of rows) {
    const k = groupKey(r)
    const g = groups.get(k) ?? {}
    g[r.impl] = r
    groups.set(k, g)
  }
  return groups
}

/**
 * `baseline p50 ÷ Rivers p50`: how many times faster Rivers is (below 1: slower).
 * @example ratio(riversRow, referenceRow) // 41.8
 */
export function ratio(rivers: Row | undefined, baseline: Row | undefined): number {
  if (!rivers || !baseline) return Number.NaN
  return baseline.stats.p50 / rivers.stats.p50
}

function coneText(r: Row): string {
  const w = r.work
  if (w.cone === undefined)
    return w.selected !== undefined
      ? `${formatCount(w.selected)} selected`
      : w.children !== undefined
        ? `${formatCount(w.children)} children`
        : '–'
  if (w.coneMin !== undefined && w.coneMax !== undefined && w.coneMin !== w.coneMax)
    return `${formatCount(w.cone)} (${formatCount(w.coneMin)}–${formatCount(w.coneMax)})`
  return formatCount(w.cone)
}

/** The table of one scenario: one line per graph (and variant), baselines side by side. */
export function scenarioTable(rows: readonly Row[], scenario: ScenarioId): string {
  const groups = [...groupRows(rows.filter((r) => r.scenario === scenario)).values()]
  if (groups.length === 0) return ''
  const impls = IMPLS.filter((i) => i !== 'rivers' && groups.some((g) => g[i]))
  const withVariant = groups.some((g) => (g.rivers ?? Object.values(g)[0])?.variant !== undefined)
  const head = [
    ...(withVariant ? ['case'] : []),
    'graph',
    'ids',
    'assets',
    'edges',
    'cone / work',
    'Rivers p50',
    'p99',
    'min',
    'max',
    'samples',
    'per cone asset',
    ...impls.map((i) => `${IMPL_NAMES[i]} p50 (ratio)`),
  ]
  const body = groups.map((g) => {
    const r = g.rivers ?? (Object.values(g)[0] as Row)
    const riv = g.rivers
    return [
      ...(withVariant ? [r.variant ?? ''] : []),
      r.shape,
      r.order,
      formatCount(r.n),
      formatCount(r.work.edges),
      coneText(r),
      riv ? formatNs(riv.stats.p50) : '–',
      riv ? formatNs(riv.stats.p99) : '–',
      riv ? formatNs(riv.stats.min) : '–',
      riv ? formatNs(riv.stats.max) : '–',
      riv ? String(riv.stats.samples) : '–',
      riv?.perConeNs !== undefined ? formatNs(riv.perConeNs) : '–',
      ...impls.map((i) => (g[i] ? `${formatNs(g[i].stats.p50)} (${formatRatio(ratio(riv, g[i]))})` : '–')),
    ]
  })
  return table(head, body)
}

/** Headline ratios on one graph: for each scenario, Rivers' p50 and each baseline's ratio. */
export function headlineTable(rows: readonly Row[], shape: string, n: number, order: string): string {
  const body: string[][] = []
  for (const scenario of [
    'build',
    'cold',
    'warm',
    'replan-source',
    'replan-1pct',
    'replan-code',
    'reverify',
    'select',
  ] as ScenarioId[]) {
    for (const g of groupRows(
      rows.filter((r) => r.scenario === scenario && r.shape === shape && r.n === n && r.order === order),
    ).values()) {
      const riv = g.rivers
      if (!riv || !(g.reference || g.incremental || g.idiomatic || g.graphology)) continue
      body.push([
        `${SCENARIOS[scenario].title}${riv.variant ? ` (${riv.variant})` : ''}`,
        coneText(riv),
        formatNs(riv.stats.p50),
        ...(['incremental', 'reference', 'idiomatic', 'graphology'] as const).map((i) =>
          g[i] ? `${formatRatio(ratio(riv, g[i]))} (${formatNs(g[i].stats.p50)})` : '–',
        ),
      ])
    }
  }
  return table(
    [
      'scenario',
      'cone / work',
      'Rivers p50',
      'vs incremental TS (Rust vs TypeScript)',
      'vs reference TS (+ from scratch)',
      'vs idiomatic TS',
      'vs graphology',
    ],
    body,
  )
}

function memoryTable(memory: readonly MemoryRow[]): string {
  return table(
    [
      'graph',
      'ids',
      'assets',
      'edges',
      'heapBytes',
      'B per asset',
      'budget (128 B/asset + 8 B/edge)',
      'of budget',
      'RSS growth (child process)',
    ],
    memory.map((m) => [
      m.shape,
      m.order,
      formatCount(m.n),
      formatCount(m.edges),
      formatBytes(m.heapBytes),
      (m.heapBytes / m.n).toFixed(1),
      formatBytes(m.budgetBytes),
      `${((100 * m.heapBytes) / m.budgetBytes).toFixed(1)}%`,
      m.rssDeltaBytes === undefined ? '–' : formatBytes(m.rssDeltaBytes),
    ]),
  )
}

function extraTable(rows: readonly Row[], scenario: ScenarioId): string {
  const rs = rows.filter((r) => r.scenario === scenario)
  if (rs.length === 0) return ''
  return table(
    ['case', 'graph', 'assets', 'p50', 'min', 'max', 'samples', 'details'],
    rs.map((r) => [
      r.variant ?? '',
      r.shape,
      formatCount(r.n),
      formatNs(r.stats.p50),
      formatNs(r.stats.min),
      formatNs(r.stats.max),
      String(r.stats.samples),
      Object.entries(r.extra ?? {})
        .map(([k, v]) => `${k}: ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v)}`)
        .join(', '),
    ]),
  )
}

/**
 * The whole report.
 * @example writeFileSync('benches/results/latest.md', renderMarkdown(report))
 */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine
  const out: string[] = []
  out.push(`# Rivers benchmarks (${report.mode})\n`)
  out.push(
    `Generated by \`npm run bench${report.mode === 'quick' ? ' -- --quick' : ''}\` on ${report.startedAt} in ${report.durationS.toFixed(0)} s. Times are wall-clock per operation after warm-up; p99 over few samples is close to max. **Ratio = baseline p50 ÷ Rivers p50** (above 1: Rivers is faster). Every baseline ran in the same process and the same run as Rivers.\n`,
  )
  out.push(
    table(
      ['machine', ''],
      [
        ['CPU', `${m.cpuModel} (${m.cores} cores)`],
        ['memory', formatBytes(m.memoryBytes)],
        ['platform', m.platform],
        ['Node / V8', `${m.node} / ${m.v8}`],
        ['Rust', m.rust ?? 'unknown'],
        ['commit', `${m.gitCommit ?? 'unknown'}${m.gitDirty ? ' (with uncommitted changes)' : ''}`],
        ['load average (1/5/15 min) at start → end', `${m.loadStart.join(' / ')} → ${(m.loadEnd ?? []).join(' / ')}`],
      ],
    ),
  )
  out.push('\n## Targets (issue 4)\n')
  out.push(
    'Judged on the dbt-like graph, on the worse of the two id orders; the worst other shape is named when it misses.\n',
  )
  out.push(
    table(
      ['target', 'measured', 'verdict'],
      report.targets.map((t) => [t.target, t.measured, t.verdict === 'PASS' ? 'PASS' : `**${t.verdict}**`]),
    ),
  )
  const notes = report.targets.filter((t) => t.note)
  if (notes.length > 0) {
    out.push('\nWhat limits the missed targets (from this run):\n')
    for (const t of notes) out.push(`- **${t.target}**: ${t.note}`)
    out.push('')
  }
  const largest = Math.max(...report.rows.filter((r) => r.shape === 'dbt' && r.scenario === 'build').map((r) => r.n))
  for (const n of [100_000, largest].filter((x, i, a) => Number.isFinite(x) && a.indexOf(x) === i)) {
    out.push(`\n## Headline ratios: dbt-like graph, ${formatCount(n)} assets, shuffled ids\n`)
    out.push(
      'The incremental TS twin keeps the plan as the Rust core does (counts maintained over the changed cone), so its column is Rust vs TypeScript; the reference recomputes the plan from scratch, so its column adds incremental vs from scratch.\n',
    )
    out.push(headlineTable(report.rows, 'dbt', n, 'shuffled'))
  }
  if (report.charts.length > 0) {
    out.push('\n## Charts\n')
    for (const c of report.charts) out.push(`![${c.title}](${c.file})\n`)
  }
  for (const [id, s] of Object.entries(SCENARIOS) as [ScenarioId, (typeof SCENARIOS)[ScenarioId]][]) {
    if (
      id === 'phases' ||
      id === 'e2e-status' ||
      id === 'e2e-materialize' ||
      id === 'drift-stats' ||
      id === 'automation-latency'
    )
      continue
    const t = scenarioTable(report.rows, id)
    if (!t) continue
    out.push(`\n## ${s.title}\n\n${s.what}.\n`)
    out.push(t)
  }
  out.push(
    `\n## Memory\n\nNative bytes of the graph with every record loaded and every source observed (\`heapBytes()\`), and the growth of the process RSS across build + load measured in a fresh child process.\n`,
  )
  out.push(memoryTable(report.memory))
  for (const id of ['phases', 'e2e-status', 'e2e-materialize', 'drift-stats', 'automation-latency'] as const) {
    const t = extraTable(report.rows, id)
    if (t) out.push(`\n## ${SCENARIOS[id].title}\n\n${SCENARIOS[id].what}.\n\n${t}`)
  }
  out.push('\n## Problems met during the run\n')
  out.push(
    report.problems.length === 0
      ? 'None: every cross-check held (plan sizes agree between planners, states restored after each series, selections agree).\n'
      : report.problems.map((p) => `- ${p}`).join('\n') + '\n',
  )
  return out.join('\n')
}
