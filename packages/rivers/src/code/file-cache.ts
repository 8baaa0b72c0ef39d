/**
 * Content hashes and import lists of local files: each file is read and hashed once per process
 * (while it does not change), and remembered across processes in a small cache file keyed by path,
 * size, modification and change times and inode.
 *
 * An entry is trusted only if the file had not been modified for two seconds when it was hashed
 * (a file rewritten within the same timestamp tick, with the same size, would otherwise go
 * unnoticed: the "racy git" problem). The cache file is written to a temporary name and renamed,
 * so concurrent processes never see a torn file; the last writer wins, and a lost entry is only
 * recomputed.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs'
import path from 'node:path'

import { nativeModule } from '../native.js'
import { moduleImports, type ModuleImports } from './imports.js'
import { moduleHash } from './layout.js'
import { tokenize, type Tokens } from './lexer.js'
import { normalizedText } from './normalize.js'

/** Files whose imports are scanned (others are hashed only). */
const SCANNED = /\.(?:[cm]?[jt]sx?)$/
/** JSX files: hashed as bytes (the tokenizer does not read JSX; a pragma comment can matter). */
const JSX = /\.[jt]sx$/

/** How long before hashing a file must have last changed for its entry to be trusted. */
const RACY_MS = 2000

/**
 * What is known of one file.
 *
 * @example
 * const e: FileEntry = { hash: '…32 hex…', code: '…32 hex…', imports: { specifiers: ['./lib.js'], soft: [], computed: [] } }
 */
export interface FileEntry {
  /** Content hash (SPEC domain `content`), 32 hex digits. */
  readonly hash: string
  /**
   * What the code version uses: `code-module` of its normalized tokens for a JavaScript or
   * TypeScript file the tokenizer follows (comments and layout do not count), else `hash`.
   */
  readonly code: string
  /** Its imports, for JavaScript and TypeScript files. */
  readonly imports: ModuleImports | undefined
}

interface Stored extends FileEntry {
  size: number
  mtimeMs: number
  ctimeMs: number
  ino: number
  hashedAt: number
}

const CACHE_FILE = 'code-files.v2.json'

/** Entries of this process, by real path (shared by every computation in the process). */
const memory = new Map<string, Stored>()
/** Cache folders already loaded into `memory`. */
const loaded = new Set<string>()
/** Tokens by content hash: a module text is tokenized once per process. */
const tokenMemo = new Map<string, Tokens>()

/**
 * Looks files up and remembers them; `save()` writes what changed to the cache folder.
 *
 * @example
 * const files = new FileCache('/project/.rivers/cache')
 * const { hash, imports } = files.entry('/project/src/lib.ts', probe.stat(file)!)
 * files.save()
 */
export class FileCache {
  #dirty = false
  /** Files this computation looked at: what `save()` writes (the cache file holds the project's files). */
  readonly #used = new Set<string>()

  constructor(readonly dir: string | undefined) {
    if (dir !== undefined && !loaded.has(dir)) {
      loaded.add(dir)
      for (const [file, e] of Object.entries(readCache(dir))) if (!memory.has(file)) memory.set(file, e)
    }
  }

  /** The hash and imports of `file` (a real path) with stats `st`; reads it when not known. */
  entry(file: string, st: Stats): FileEntry {
    this.#used.add(file)
    const known = memory.get(file)
    if (known !== undefined && sameFile(known, st) && known.mtimeMs + RACY_MS < known.hashedAt) return known
    const hashedAt = Date.now()
    const bytes = readFileSync(file)
    const hash = nativeModule().hashBytes(bytes)
    let imports: ModuleImports | undefined
    let code = hash
    if (SCANNED.test(file)) {
      const tokens = this.#tokens(hash, bytes)
      imports = moduleImports(tokens)
      if (tokens.ok && !JSX.test(file)) code = moduleHash([normalizedText(tokens)])
    }
    const e: Stored = {
      hash,
      code,
      imports,
      size: st.size,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      ino: st.ino,
      hashedAt,
    }
    if (memory.size > 200_000) memory.clear()
    memory.set(file, e)
    this.#dirty = true
    return e
  }

  /** The tokens of a file's current text (tokenized once per content). */
  tokens(file: string, st: Stats): Tokens {
    const { hash } = this.entry(file, st)
    const t = tokenMemo.get(hash)
    if (t !== undefined) return t
    return this.#tokens(hash, readFileSync(file))
  }

  #tokens(hash: string, bytes: Buffer): Tokens {
    let t = tokenMemo.get(hash)
    if (t === undefined) {
      t = tokenize(bytes.toString('utf8'))
      if (tokenMemo.size > 4096) tokenMemo.clear()
      tokenMemo.set(hash, t)
    }
    return t
  }

  /** Writes the entries to the cache folder if any changed (best effort: a read-only store is fine). */
  save(): void {
    if (this.dir === undefined || !this.#dirty) return
    this.#dirty = false
    const all: Record<string, Stored> = { ...readCache(this.dir) }
    for (const file of this.#used) {
      const e = memory.get(file)
      if (e !== undefined) all[file] = e
    }
    writeAtomic(path.join(this.dir, CACHE_FILE), JSON.stringify({ version: 2, files: all }))
  }
}

function sameFile(e: Stored, st: Stats): boolean {
  return e.size === st.size && e.mtimeMs === st.mtimeMs && e.ctimeMs === st.ctimeMs && e.ino === st.ino
}

function readCache(dir: string): Record<string, Stored> {
  try {
    const json = JSON.parse(readFileSync(path.join(dir, CACHE_FILE), 'utf8')) as { version?: unknown; files?: unknown }
    if (json.version !== 2 || typeof json.files !== 'object' || json.files === null) return {}
    return json.files as Record<string, Stored>
  } catch {
    return {}
  }
}

/**
 * Writes `text` to `file` through a temporary file and a rename (readers never see a partial file);
 * failures are ignored (a cache is optional).
 *
 * @example
 * writeAtomic('/project/.rivers/cache/x.json', '{}')
 */
export function writeAtomic(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    writeFileSync(tmp, text, { mode: 0o600 })
    renameSync(tmp, file)
    return true
  } catch {
    rmSync(tmp, { force: true })
    return false
  }
}
