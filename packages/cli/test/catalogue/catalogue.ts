/**
 * # The bad-input catalogue
 *
 * Every way a user can get Rivers wrong that we know of, each an end-to-end test that runs the real
 * `assets` binary on a temporary project, checks the exit code (2: refused before anything runs;
 * 1: the run fails; 0: handled) and snapshots the message the user reads, scrubbed of temp paths,
 * run ids and times. Every message must name the asset, file, selection column or config path at
 * fault and say how to fix it (`expectActionable`). Numbers are stable: add new cases at the end.
 *
 * | #  | case | exit | file |
 * |----|------|------|------|
 * |  1 | no project file in the folder or its parents | 2 | loading |
 * |  2 | `--project` names a file that does not exist | 2 | loading |
 * |  3 | syntax error in the project file (file:line:column) | 2 | loading |
 * |  4 | type error that breaks while the project loads (TypeScript is not type-checked at load: types are stripped; the message says so and points to `tsc --noEmit`) | 2 | loading |
 * |  5 | import of a module that does not exist | 2 | loading |
 * |  6 | the project file throws while loading (the place and the message) | 2 | loading |
 * |  7 | no default export | 2 | loading |
 * |  8 | default export is a plain object, not a project | 2 | loading |
 * |  9 | default export is an array of assets | 2 | loading |
 * | 10 | default export is a function (defineProject not called) | 2 | loading |
 * | 11 | two assets with the same key (both definition sites) | 2 | definitions |
 * | 12 | invalid characters in a key | 2 | definitions |
 * | 13 | empty key | 2 | definitions |
 * | 14 | a key with a `..` segment (would escape the storage folder) | 2 | definitions |
 * | 15 | unknown dependency, with the closest key suggested | 2 | definitions |
 * | 16 | an asset that depends on itself | 2 | definitions |
 * | 17 | a dependency cycle (the cycle printed) | 2 | definitions |
 * | 18 | a dependency that is not an asset (a number) | 2 | definitions |
 * | 19 | a dependency that is undefined (used before its definition) | 2 | definitions |
 * | 20 | a project entry that is not an asset (null) | 2 | definitions |
 * | 21 | invalid spec fields (retry, timeout) | 2 | definitions |
 * | 22 | `asset(spec)` without its function listed as an asset | 2 | definitions |
 * | 23 | an input schema that rejects the producer's output schema | 2 | definitions |
 * | 24 | selection: unknown selector prefix | 2 | selections |
 * | 25 | selection: unbalanced parentheses (unclosed) | 2 | selections |
 * | 26 | selection: unbalanced parentheses (unmatched `)`) | 2 | selections |
 * | 27 | selection: depth that is not a number | 2 | selections |
 * | 28 | selection: depth too large | 2 | selections |
 * | 29 | selection: unknown tag (existing tags listed) | 2 | selections |
 * | 30 | selection: unknown group (existing groups listed) | 2 | selections |
 * | 31 | selection: unknown key, with the closest key suggested | 2 | selections |
 * | 32 | selection: unknown status | 2 | selections |
 * | 33 | selection: a pattern that matches nothing (said, not silently ignored) | 2 | selections |
 * | 34 | selection: a keyword where a term belongs | 2 | selections |
 * | 35 | selection: a selected asset whose unselected input was never built (suggests `+KEY`) | 2 | selections |
 * | 36 | `--config` that is not valid JSON (line, column; string values masked) | 2 | config |
 * | 37 | `--config` that is not an object | 2 | config |
 * | 38 | `--config` file that does not exist | 2 | config |
 * | 39 | `--config` naming an unknown asset, with the closest key suggested | 2 | config |
 * | 40 | config failing its zod schema (zod's issue paths) | 2 | config |
 * | 41 | config given to an asset that takes none | 2 | config |
 * | 42 | required config missing | 2 | config |
 * | 43 | output failing its schema (the path inside the value) | 1 | runtime |
 * | 44 | an asset function that throws a string | 1 | runtime |
 * | 45 | an asset function that throws a plain object | 1 | runtime |
 * | 46 | an asset function that returns undefined | 1 | runtime |
 * | 47 | a BigInt in the result (its path) | 1 | runtime |
 * | 48 | a cycle in the result (both paths) | 1 | runtime |
 * | 49 | a function in the result | 1 | runtime |
 * | 50 | a Map in the result (how to convert it) | 1 | runtime |
 * | 51 | NaN in the result | 1 | runtime |
 * | 52 | undefined inside an array | 1 | runtime |
 * | 53 | a streamed result that yields a number | 1 | runtime |
 * | 54 | a streamed result that fails midway (nothing stored) | 1 | runtime |
 * | 55 | a timeout (the asset and the limit) | 1 | runtime |
 * | 56 | an input that fails the consumer's input schema | 1 | runtime |
 * | 57 | a result too large for memory, streamed to a file with bounded memory (200 MB) | 0 | runtime |
 * | 58 | a read-only store folder (as an unprivileged user; root ignores permissions) | 2 | store |
 * | 59 | a corrupt database file | 2 | store |
 * | 60 | a store written by a newer Rivers | 2 | store |
 * | 61 | `--store` naming a file | 2 | store |
 * | 62 | the disk fills up during a write: a real full file system (tmpfs; needs root to mount) | 1 | store |
 * | 63 | the disk fills up during a write: an IO manager whose file system fails with ENOSPC | 1 | store |
 * | 64 | unknown command | 2 | usage |
 * | 65 | unknown option | 2 | usage |
 * | 66 | `--concurrency 0` | 2 | usage |
 * | 67 | `show` of an unknown key, with the closest key suggested | 2 | usage |
 * | 68 | `runs --metric` without `--asset` | 2 | usage |
 * | 69 | `wipe` without `--yes` and without a terminal | 2 | usage |
 * | 70 | `--config` with a misspelled field (refused, not silently dropped; did-you-mean) | 2 | config |
 * | 71 | `status --config` with an unknown nested field (status refuses a config as materialize does) | 2 | config |
 * | 72 | a zod 3 schema as `config`, `output` or an `inputs` entry (Rivers needs zod 4) | 2 | definitions |
 * | 73 | `@asset` compiled with `experimentalDecorators` (Rivers uses TC39 decorators) | 2 | definitions |
 * | 74 | `--store` below a folder that refuses new folders (/proc: Node's recursive mkdir would spin) | 2 | store |
 * | 75 | a Date in the result (store an ISO string or a number) | 1 | values |
 * | 76 | a class instance in the result (return plain data) | 1 | values |
 * | 77 | a boxed primitive in the result | 1 | values |
 * | 78 | an object with its own toJSON in the result | 1 | values |
 * | 79 | a sparse array (a hole) in the result | 1 | values |
 * | 80 | a source file deleted after a run (its consumers fail naming the file) | 1 | sources |
 * | 81 | a bad retention policy (keep 0, an unknown field, no field) | 2 | storage |
 * | 82 | `pin` of an unknown key (closest suggested), or of an asset never materialized | 2 | storage |
 * | 83 | `pin --run` of a run that did not build the asset | 2 | storage |
 * | 84 | a source `reportedBy` a sensor the project does not list (closest suggested) | 2 | sources |
 * | 85 | materializing a consumer of a reported source that its sensor has not reported yet | 2 | sources |
 * | 86 | a plain dep that reads several partitions (an unpartitioned asset reading a daily one) | 2 | partition-defs |
 * | 87 | `mapped()` where the upstream is not partitioned | 2 | partition-defs |
 * | 88 | `partitions` that is not a partition definition | 2 | partition-defs |
 * | 89 | a partitioned source | 2 | partition-defs |
 * | 90 | `--partition` with a key the asset's definition does not have (nearest key suggested) | 2 | partition-commands |
 * | 91 | `--partition` with a reversed range | 2 | partition-commands |
 * | 92 | `--partition` when no selected asset is partitioned | 2 | partition-commands |
 * | 93 | `backfill` of a selection without a partitioned asset | 2 | partition-commands |
 * | 94 | `backfill --resume` of an unknown id | 2 | partition-commands |
 * | 95 | `partitions add` of a dynamic key with a forbidden character | 2 | partition-commands |
 * | 96 | a product key with the wrong number of dimensions | 2 | partition-commands |
 * | 97 | `partitions remove` of a key whose partitions have records, without `--wipe` | 2 | partition-commands |
 * | 98 | `batch` on an asset without partitions | 2 | partition-defs |
 * | 99 | `batch` that is not a whole number of at least 1 | 2 | partition-defs |
 * | 100 | a batched function's result without every partition of its call | 1 | partition-defs |
 * | 101 | RIVERS_STORE_URL that is not a PostgreSQL URL (password hidden) | 2 | store-postgres |
 * | 102 | a PostgreSQL store whose server does not answer | 2 | store-postgres |
 * | 103 | a PostgreSQL store whose database does not exist | 2 | store-postgres |
 * | 104 | a PostgreSQL store migrated by a newer Rivers | 2 | store-postgres |
 */
import { expect } from 'vitest'
import type { CliResult } from '../e2e/project.js'

/** Titles of the cases, by number (the table above, as data). */
export const CASES: Record<number, string> = {}

/**
 * The title of case `n`, for `test(...)`: `#07 no default export`.
 *
 * @example
 * test(title(7, 'no default export'), T, async () => { … })
 */
export function title(n: number, text: string): string {
  CASES[n] = text
  return `#${String(n).padStart(2, '0')} ${text}`
}

/** Timeout of one case. */
export const T = { timeout: 30_000 }

/**
 * The text of `r` a user reads, made stable: the project folder as `<project>`, run ids as `<run>`,
 * times and durations as `<time>`.
 *
 * @example
 * expect(scrub(r.stderr, p.dir)).toMatchSnapshot()
 */
export function scrub(text: string, ...dirs: string[]): string {
  let out = text
  for (const d of dirs) out = out.replaceAll(d, '<project>')
  // Under RIVERS_E2E_STORE=postgres (project.ts) a store is named by its database's URL: it reads as
  // the SQLite store's path, so that one snapshot serves both backends.
  out = out.replace(/postgres:\/\/[^\s/]+\/rivers_e2e_[0-9a-f]+/g, '<project>/.rivers/rivers.db')
  return out
    .replace(/\d{8}T\d{6}Z-[0-9a-f]{6}/g, '<run>')
    .replace(/(?<!['\d.])\b\d+(\.\d+)?(ms|s)\b(?!')/g, '<time>')
    .replace(/\b\d\d:\d\d:\d\d\b/g, '<hh:mm:ss>')
}

/** Words that introduce a fix in our messages. */
const FIX =
  /Fix:|help:|e\.g\. |\(run assets |did you mean|Did you mean|run `|Run `|pass |Pass |use |Use |add |remove |correct |Return |return |convert|Convert|Replace|raise|Raise|free space|Upgrade|Move it|Make |Point |point |select it|materialize|throw new Error|write |instead/

/**
 * Checks the message names what is at fault (`mentions`) and says how to fix it.
 *
 * @example
 * expectActionable(r.stderr, ["'raw/orders'"])
 */
export function expectActionable(text: string, mentions: readonly string[]): void {
  for (const m of mentions) expect(text, `the message should name ${m}`).toContain(m)
  expect(text, 'the message should say how to fix it').toMatch(FIX)
}

/**
 * Exit code 2, nothing on stdout, and an actionable message on stderr; returns the scrubbed stderr.
 *
 * @example
 * expect(refused(r, ['rivers.config.ts'], p.dir)).toMatchSnapshot()
 */
export function refused(r: CliResult, mentions: readonly string[], ...dirs: string[]): string {
  expect(r.code, `exit code (stderr: ${r.stderr})`).toBe(2)
  expect(r.stdout).toBe('')
  expect(r.stderr).toMatch(/^error: /)
  expectActionable(r.stderr, mentions)
  return scrub(r.stderr, ...dirs)
}

/**
 * A run that failed (exit 1) because of `key`: its line of the human output (scrubbed), checked to
 * name the asset and say how to fix it.
 *
 * @example
 * expect(failedRun(r, 'undef')).toMatchSnapshot()
 */
export function failedRun(r: CliResult, key: string, mentions: readonly string[] = [], ...dirs: string[]): string {
  expect(r.code, `exit code (stdout: ${r.stdout}\nstderr: ${r.stderr})`).toBe(1)
  const text = scrub(r.stdout, ...dirs)
  const start =
    text.indexOf(`✖ ${key} failed: `) >= 0 ? text.indexOf(`✖ ${key} failed: `) : text.indexOf(`[fail] ${key} failed: `)
  expect(start, `a failure line for ${key} in:\n${text}`).toBeGreaterThanOrEqual(0)
  // The failure line and its indented continuation lines.
  const lines = text.slice(start).split('\n')
  let end = 1
  while (end < lines.length && /^\s+\S/.test(lines[end]!)) end++
  const block = lines.slice(0, end).join('\n')
  expectActionable(block, mentions)
  return block
}
