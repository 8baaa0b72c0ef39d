/**
 * `assets init [DIR] [--force]`: writes a starter project (starter.ts) into DIR (default: the
 * current folder), which must be empty or new unless `--force`. It only writes files: installing
 * is the user's `npm install`.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'

import { print, printJson, type Ctx } from '../context.js'
import { initDirNotEmpty, initTargetNotDir, shownPath } from '../errors.js'
import { EXIT } from '../exit.js'
import { STARTER_NOTES, starterFiles } from '../starter.js'

/** Entries that do not make a folder "not empty" (a fresh `git init`). */
const IGNORED = new Set(['.git'])

/**
 * @example
 * await init(ctx, 'demo', {})
 */
export async function init(ctx: Ctx, dir: string | undefined, flags: { force?: boolean }): Promise<number> {
  const target = path.resolve(ctx.io.cwd, dir ?? '.')
  const shown = dir === undefined ? '.' : shownPath(target, ctx.io.cwd)
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw initTargetNotDir(shown)
    const entries = readdirSync(target)
      .filter((e) => !IGNORED.has(e))
      .sort()
    if (entries.length > 0 && flags.force !== true) throw initDirNotEmpty(shown, entries)
  }
  const files = starterFiles(path.basename(target))
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(target, ...rel.split('/'))
    mkdirSync(path.dirname(file), { recursive: true })
    writeFileSync(file, text)
  }
  if (ctx.json) printJson(ctx, { dir: target, files: Object.keys(files) })
  else print(ctx, summary(shown, Object.keys(files), ctx))
  return EXIT.ok
}

function summary(shown: string, files: readonly string[], ctx: Ctx): string {
  const width = Math.max(...files.map((f) => f.length)) + 2
  const listing = files.map((f) => `  ${f.padEnd(width)}${ctx.out.dim(STARTER_NOTES[f] ?? '')}`.trimEnd())
  const cd = shown === '.' ? [] : [`  cd ${/^[\w./-]+$/.test(shown) ? shown : JSON.stringify(shown)}`]
  return [
    `Created a Rivers project in ${shown}:`,
    ...listing,
    '',
    'Next:',
    ...cd,
    '  npm install',
    '  npx assets materialize     # builds raw/orders -> orders -> daily_revenue',
    '  npx assets status          # fresh, and why; edit data/orders.csv and ask again',
    '  npm test',
  ].join('\n')
}
