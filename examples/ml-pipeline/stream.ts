/**
 * The stream simulator of the example's automation loop: writes the next batch file(s) of penguin
 * rows into the batch folder of `stream/rivers.config.ts`, sampled (seeded) from the shipped dataset.
 *
 *   npx tsx examples/ml-pipeline/stream.ts                     # one batch of 100 rows
 *   npx tsx examples/ml-pipeline/stream.ts --batches 3         # three batches
 *   npx tsx examples/ml-pipeline/stream.ts --shift 1.3         # beak lengths 30% longer: drift
 *
 * Options: --dir DIR (default: $PENGUIN_STREAM_DIR, else examples/ml-pipeline/stream/batches),
 * --batches N (1), --rows N (100), --shift F (1), --seed N (1; each batch's seed also mixes in its
 * sequence number, so successive batches differ and a rerun of the same sequence is identical).
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { datasetPath } from './src/ml/dataset.js'
import { listBatches, sampleBatch, streamDir, writeBatch } from './src/stream/batches.js'

function positive(name: string, text: string, integer: boolean): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    process.stderr.write(`stream.ts: --${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"\n`)
    process.exit(2)
  }
  return n
}

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    batches: { type: 'string', default: '1' },
    rows: { type: 'string', default: '100' },
    shift: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
  },
})
const dir = values.dir ?? streamDir()
const batches = positive('batches', values.batches, true)
const rows = positive('rows', values.rows, true)
const shift = positive('shift', values.shift, false)
const seed = Number(values.seed)
if (!Number.isInteger(seed)) {
  process.stderr.write(`stream.ts: --seed must be an integer, got "${values.seed}"\n`)
  process.exit(2)
}

const records = JSON.parse(readFileSync(datasetPath(), 'utf8')) as Record<string, unknown>[]
for (let i = 0; i < batches; i++) {
  const next = (listBatches(dir).at(-1)?.seq ?? 0) + 1
  const batch = writeBatch(dir, sampleBatch(records, { rows, shift, seed: seed * 1_000_003 + next }))
  process.stdout.write(`wrote ${batch.file} (${rows} rows${shift === 1 ? '' : `, beak length x${shift}`})\n`)
}
