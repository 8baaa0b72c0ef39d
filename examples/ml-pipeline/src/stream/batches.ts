/**
 * The simulated stream of the example's automation loop: batch files of penguin rows in a folder.
 *
 * A batch is `batch-000001.json`, `batch-000002.json`, …: a JSON array of records in the format of
 * the shipped `penguins.json` (so `parseRaw` reads it), sampled with replacement from that file by a
 * seeded generator. `shift` scales every beak length of a batch (1.3 = 30% longer beaks): a change of
 * the feature distribution that the model's drift trigger should notice. Files are written to a
 * temporary name and renamed, so an observer never sees half a batch.
 *
 * No Rivers imports: the project (stream/rivers.config.ts) and the simulator (stream.ts) both use it.
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { mulberry32 } from '../ml/random.js'

/** The batch folder: `$PENGUIN_STREAM_DIR`, else `examples/ml-pipeline/stream/batches` (git-ignored). */
export function streamDir(): string {
  const fromEnv = process.env.PENGUIN_STREAM_DIR
  if (fromEnv !== undefined && fromEnv !== '') return path.resolve(fromEnv)
  return path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'stream', 'batches')
}

/** Name of a batch file: `batch-` + a 6-digit sequence number + `.json`. */
export const BATCH_FILE = /^batch-(\d{6})\.json$/

/** The column of penguins.json that `shift` scales. */
export const SHIFTED_COLUMN = 'Beak Length (mm)'

/** How a batch is drawn. */
export interface BatchOptions {
  /** Rows in the batch (positive integer). */
  rows: number
  /** Factor applied to every beak length (1 = no drift). */
  shift: number
  /** Seed of the sampler; the same seed draws the same rows. */
  seed: number
}

/** One batch file as listed. */
export interface BatchFile {
  name: string
  /** Its sequence number (from the name). */
  seq: number
  file: string
}

/**
 * Draws `rows` records with replacement from `records` (the parsed penguins.json), with beak lengths
 * scaled by `shift`. Records are copied; the input is not changed.
 */
export function sampleBatch(
  records: readonly Record<string, unknown>[],
  options: BatchOptions,
): Record<string, unknown>[] {
  if (!Number.isInteger(options.rows) || options.rows <= 0)
    throw new Error(`rows must be a positive integer, got ${options.rows}`)
  if (!(options.shift > 0) || !Number.isFinite(options.shift))
    throw new Error(`shift must be a positive number (1 = no drift), got ${options.shift}`)
  if (records.length === 0) throw new Error('cannot sample a batch from zero records')
  const random = mulberry32(options.seed)
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < options.rows; i++) {
    const record = { ...records[Math.floor(random() * records.length)]! }
    const beak = record[SHIFTED_COLUMN]
    if (typeof beak === 'number') record[SHIFTED_COLUMN] = Math.round(beak * options.shift * 10) / 10
    out.push(record)
  }
  return out
}

/** The batch files of `dir`, oldest first (an absent folder has none). */
export function listBatches(dir: string): BatchFile[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw e
  }
  return names
    .flatMap((name) => {
      const m = BATCH_FILE.exec(name)
      return m ? [{ name, seq: Number(m[1]), file: path.join(dir, name) }] : []
    })
    .sort((a, b) => a.seq - b.seq)
}

/** Writes `records` as the next batch of `dir` (creating the folder); returns its file. */
export function writeBatch(dir: string, records: readonly Record<string, unknown>[]): BatchFile {
  mkdirSync(dir, { recursive: true })
  const seq = (listBatches(dir).at(-1)?.seq ?? 0) + 1
  const name = `batch-${String(seq).padStart(6, '0')}.json`
  const file = path.join(dir, name)
  const tmp = path.join(dir, `.${name}.${process.pid}.tmp`)
  writeFileSync(tmp, `${JSON.stringify(records)}\n`)
  renameSync(tmp, file)
  return { name, seq, file }
}

/** What observing the folder gives: a data version and the counts recorded with it. */
export interface BatchesObservation {
  /** sha256 over each batch's name, size and content hash, in order: any added, removed or edited batch changes it. */
  dataVersion: string
  metadata: { files: number; rows: number; latest: string | null }
}

/** Observes the batch folder: its data version (names, sizes, content hashes) and total rows. */
export function observeBatches(dir: string): BatchesObservation {
  const version = createHash('sha256')
  let rows = 0
  const files = listBatches(dir)
  for (const b of files) {
    const bytes = readFileSync(b.file)
    const records: unknown = JSON.parse(bytes.toString('utf8'))
    if (!Array.isArray(records)) throw new Error(`${b.file}: expected a JSON array of records`)
    rows += records.length
    version.update(`${b.name}\0${bytes.length}\0${createHash('sha256').update(bytes).digest('hex')}\n`)
  }
  return {
    dataVersion: version.digest('hex'),
    metadata: { files: files.length, rows, latest: files.at(-1)?.name ?? null },
  }
}

/** Reads the batches of `dir`, oldest first, each as its file name and bytes. */
export function readBatches(dir: string): { name: string; bytes: Buffer }[] {
  return listBatches(dir).map((b) => ({ name: b.name, bytes: readFileSync(b.file) }))
}
