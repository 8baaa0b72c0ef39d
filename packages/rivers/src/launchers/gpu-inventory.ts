/**
 * The GPUs of this machine, for the local launcher: an override (`RIVERS_GPUS` or the launcher's
 * `gpus` setting), else `nvidia-smi`, else none; then limited to an already-set
 * `CUDA_VISIBLE_DEVICES` (Rivers never hands out a GPU its own process was not given).
 */
import type { GpuDevice } from '../definitions/index.js'
import { badGpuOverride } from './errors.js'
import { execCommand } from './exec.js'

/**
 * The GPUs found and where they came from (shown in errors: "this machine has 2 (nvidia-smi)").
 *
 * @example
 * const inv: GpuInventory = { gpus: [{ index: '0', name: 'NVIDIA A100', memoryMiB: 40960 }], source: 'nvidia-smi' }
 */
export interface GpuInventory {
  gpus: GpuDevice[]
  source: string
}

/** Arguments of `nvidia-smi` for the inventory (index, UUID, name, memory). */
export const NVIDIA_SMI_QUERY = ['--query-gpu=index,uuid,name,memory.total', '--format=csv,noheader,nounits'] as const

/**
 * Parses an override: `'0,1'` (these indices), `'2'` (a count: GPUs 0 and 1), `'3,'` (the single
 * index 3: a lone number is a count), `'none'` or `'0'` (no GPUs). Returns undefined for an empty or
 * malformed value.
 *
 * @example
 * parseGpuOverride('2')   // ['0', '1']
 * parseGpuOverride('1,3') // ['1', '3']
 * parseGpuOverride('3,')  // ['3']
 * parseGpuOverride('none') // []
 */
export function parseGpuOverride(text: string | undefined): string[] | undefined {
  const t = text?.trim()
  if (t === undefined || t === '') return undefined
  if (t.toLowerCase() === 'none') return []
  if (/^\d+$/.test(t)) return Array.from({ length: Number(t) }, (_, i) => String(i))
  if (/^\d+(\s*,\s*\d+)*\s*,?$/.test(t) && t.includes(','))
    return [
      ...new Set(
        t
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => String(Number(s.trim()))),
      ),
    ]
  return undefined
}

/**
 * Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits` (the
 * UUID and memory columns are optional; memory may carry a `MiB` unit).
 *
 * @example
 * parseNvidiaSmi('0, GPU-5d1c…, NVIDIA H100 80GB HBM3, 81559\n') // [{ index: '0', uuid: 'GPU-5d1c…', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 }]
 */
export function parseNvidiaSmi(text: string): (GpuDevice & { uuid?: string })[] {
  const gpus: (GpuDevice & { uuid?: string })[] = []
  for (const line of text.split('\n')) {
    const cols = line.split(',').map((c) => c.trim())
    if (cols.length < 2 || !/^\d+$/.test(cols[0]!)) continue
    const [index, ...rest] = cols
    const uuid = rest[0]?.startsWith('GPU-') || rest[0]?.startsWith('MIG-') ? rest.shift() : undefined
    const memory = rest.length > 1 ? /^(\d+(?:\.\d+)?)\s*(MiB)?$/i.exec(rest[rest.length - 1]!) : null
    if (memory !== null) rest.pop()
    const gpu: GpuDevice & { uuid?: string } = { index: index! }
    if (rest.length > 0) gpu.name = rest.join(', ')
    if (memory !== null) gpu.memoryMiB = Math.round(Number(memory[1]))
    if (uuid !== undefined) gpu.uuid = uuid
    gpus.push(gpu)
  }
  return gpus
}

/**
 * Detects the GPUs the local launcher may hand out.
 *
 * @example
 * const { gpus, source } = await detectGpus({ env: process.env })
 */
export async function detectGpus(
  options: { override?: string; env?: NodeJS.ProcessEnv; nvidiaSmi?: string; timeoutMs?: number } = {},
): Promise<GpuInventory> {
  const env = options.env ?? process.env
  let gpus: (GpuDevice & { uuid?: string })[]
  let source: string
  const override =
    options.override !== undefined
      ? { text: options.override, from: "the launcher's gpus setting" }
      : env.RIVERS_GPUS !== undefined && env.RIVERS_GPUS.trim() !== ''
        ? { text: env.RIVERS_GPUS, from: 'RIVERS_GPUS' }
        : undefined
  const ids = override === undefined ? undefined : parseGpuOverride(override.text)
  if (override !== undefined && ids === undefined) {
    throw badGpuOverride(override.from, override.text)
  }
  if (ids !== undefined) {
    // Names and memory from nvidia-smi when it knows these indices (the override may limit a real machine).
    const smi = await queryNvidiaSmi(options.nvidiaSmi ?? 'nvidia-smi', options.timeoutMs ?? 10_000, env)
    const byIndex = new Map((smi ?? []).map((g) => [g.index, g]))
    gpus = ids.map((index) => byIndex.get(index) ?? { index })
    source = `${override!.from}=${override!.text.trim()}`
  } else {
    const smi = await queryNvidiaSmi(options.nvidiaSmi ?? 'nvidia-smi', options.timeoutMs ?? 10_000, env)
    gpus = smi ?? []
    source = smi === undefined ? 'no nvidia-smi found' : 'nvidia-smi'
  }
  const visible = env.CUDA_VISIBLE_DEVICES
  if (visible !== undefined) {
    const allowed = visible
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '' && s !== '-1')
    const before = gpus.length
    gpus = gpus.filter(
      (g) => allowed.includes(g.index) || (g.uuid !== undefined && allowed.some((a) => g.uuid!.startsWith(a))),
    )
    if (gpus.length !== before || allowed.length === 0)
      source += `, limited by CUDA_VISIBLE_DEVICES=${JSON.stringify(visible)}`
  }
  return { gpus: gpus.map(({ uuid: _uuid, ...g }) => g), source }
}

async function queryNvidiaSmi(
  bin: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<(GpuDevice & { uuid?: string })[] | undefined> {
  const r = await execCommand([bin, ...NVIDIA_SMI_QUERY], { timeoutMs, env })
  if (r.code !== 0) return undefined
  return parseNvidiaSmi(r.stdout)
}
