/**
 * ksTest, cvmTest and mmdTest against reference values computed by stats_reference.py: SciPy's
 * ks_2samp(method='asymp') and cramervonmises_2samp(method='asymptotic'), and a plain NumPy MMD².
 * Python comes from RIVERS_STATS_PYTHON (CI: the venv of .ci/python/stats-venv.sh), else `python3`
 * when it can import NumPy and SciPy. Without either the test is skipped locally and fails in CI.
 */
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { expect, it } from 'vitest'

import { cvmTest, ksTest, mmdTest } from './stats.js'

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stats_reference.py')

function findPython(): string | undefined {
  const given = process.env.RIVERS_STATS_PYTHON
  if (given) return given
  const probe = spawnSync('python3', ['-c', 'import numpy, scipy'], { stdio: 'ignore' })
  return probe.status === 0 ? 'python3' : undefined
}

const python = findPython()
const inCi = process.env.CI === 'true'

/** Park–Miller minimal standard generator: the same cases on every run. */
function random(seed: number): () => number {
  let s = seed
  return () => {
    s = (s * 16807) % 2147483647
    return s / 2147483647
  }
}

interface Case {
  test: 'ks' | 'cvm' | 'mmd'
  a: number[] | number[][]
  b: number[] | number[][]
  bandwidth?: number
}

function cases(): Case[] {
  const rnd = random(14)
  const normal = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd())
  const out: Case[] = []
  // [n_a, n_b, shift of b, scale of b, decimals (ties) or undefined]
  const shapes: [number, number, number, number, number | undefined][] = [
    [5, 5, 0, 1, undefined],
    [5, 9, 1.5, 1, undefined],
    [7, 7, 3, 1, undefined],
    [10, 10, 0.5, 1, undefined],
    [12, 300, 0, 1, undefined],
    [20, 25, 0, 1, 0],
    [30, 45, 0.2, 1, undefined],
    [60, 60, 0, 2, undefined],
    [100, 80, 0, 1, 1],
    [100, 100, 0.7, 1, undefined],
    [100, 110, 1.2, 1, undefined],
    [200, 200, 0.8, 1, undefined],
    [150, 150, 0.3, 1, undefined],
    [200, 250, 0.1, 1, undefined],
    [300, 200, 0, 1, undefined],
    [500, 700, 0, 1, 0],
    [1000, 800, 0.05, 1, undefined],
    [2000, 3000, 0.3, 1, undefined],
    [2500, 2100, 0.1, 1.2, undefined],
    [4000, 5000, 0.02, 1, 2],
    [5000, 5000, 0, 1, undefined],
    [5000, 4500, 0.08, 1, undefined],
  ]
  for (const [n, m, shift, scale, decimals] of shapes) {
    const round = (v: number) => (decimals === undefined ? v : Number(v.toFixed(decimals)))
    const a = Array.from({ length: n }, () => round(normal()))
    const b = Array.from({ length: m }, () => round(normal() * scale + shift))
    out.push({ test: 'ks', a, b }, { test: 'cvm', a, b })
    if (n <= 300) out.push({ test: 'mmd', a, b, bandwidth: 0.5 + rnd() })
    else if (n <= 2500) out.push({ test: 'mmd', a, b })
  }
  // The benchmark's size (benches/src/automation/stats.ts): 2 × 100k, b shifted by 0.01σ, and unequal sizes.
  for (const [n, m, shift] of [
    [100_000, 100_000, 0.01],
    [100_000, 70_000, 0],
  ] as const) {
    const a = Array.from({ length: n }, normal)
    const b = Array.from({ length: m }, () => normal() + shift)
    out.push({ test: 'ks', a, b }, { test: 'cvm', a, b })
  }
  // Interleaved samples: D = 1/n exactly, the Ruben–Gambino end of the KS distribution.
  const even = Array.from({ length: 20 }, (_, i) => 2 * i)
  const odd = Array.from({ length: 20 }, (_, i) => 2 * i + 1)
  out.push({ test: 'ks', a: even, b: odd }, { test: 'cvm', a: even, b: odd })
  // Two regular grids, one squeezed by 1%: D ≈ 0.01 at n = 412, the Durbin matrix range above n = 140.
  const grid = Array.from({ length: 1000 }, (_, i) => i / 1000)
  const squeezed = Array.from({ length: 700 }, (_, j) => (j / 700) * 0.99)
  out.push({ test: 'ks', a: grid, b: squeezed }, { test: 'cvm', a: grid, b: squeezed })
  // Vectors for MMD: 3-d rows, b shifted along one axis.
  for (const [n, m, shift] of [
    [50, 60, 0],
    [400, 300, 0.4],
    [2100, 1900, 0.1],
  ] as const) {
    const a = Array.from({ length: n }, () => [normal(), normal(), normal()])
    const b = Array.from({ length: m }, () => [normal() + shift, normal(), normal()])
    out.push(n < 100 ? { test: 'mmd', a, b, bandwidth: 1 + rnd() } : { test: 'mmd', a, b })
  }
  return out
}

it.skipIf(python === undefined && !inCi)(
  'agrees with SciPy (KS, CvM) and a NumPy MMD² to 1e-6',
  () => {
    if (python === undefined)
      throw new Error(
        'CI=true but no Python with SciPy: run `bash .ci/python/stats-venv.sh` and export RIVERS_STATS_PYTHON=<its output> (.ci/run does).',
      )
    const all = cases()
    const run = spawnSync(python, [SCRIPT], { input: JSON.stringify(all), maxBuffer: 1 << 30, encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const reference = JSON.parse(run.stdout) as { statistic: number; pValue?: number; bandwidth?: number }[]
    expect(reference).toHaveLength(all.length)
    const off: string[] = []
    all.forEach((c, i) => {
      const ref = reference[i] as { statistic: number; pValue?: number; bandwidth?: number }
      const name = `${c.test} #${i} (${c.a.length} vs ${c.b.length})`
      const relative = (got: number, want: number, what: string) => {
        if (Math.abs(got - want) > 1e-6 * Math.abs(want) + 1e-15) off.push(`${name} ${what}: ${got} vs ${want}`)
      }
      if (c.test === 'mmd') {
        const got = mmdTest(c.a, c.b, {
          permutations: 0,
          ...(c.bandwidth === undefined ? {} : { bandwidth: c.bandwidth }),
        })
        relative(got.statistic, ref.statistic, 'statistic')
        if (c.bandwidth === undefined) relative(got.bandwidth, ref.bandwidth as number, 'median heuristic')
      } else {
        const got =
          c.test === 'ks' ? ksTest(c.a as number[], c.b as number[]) : cvmTest(c.a as number[], c.b as number[])
        relative(got.statistic, ref.statistic, 'statistic')
        if (Math.abs(got.pValue - (ref.pValue as number)) > 1e-6)
          off.push(`${name} p-value: ${got.pValue} vs ${ref.pValue}`)
      }
    })
    expect(off).toEqual([])
  },
  120_000,
)
