/**
 * zod, loaded on first use instead of imported: `import '@rivers-orchestrator/rivers'` does not load
 * its 95 modules, and a project whose specs all pass the fast path (spec-fast.ts) and that has no
 * schemas to compare never loads it. The spec schemas (spec-schema.ts) and the schema comparison
 * (schema-compat.ts) get it from here.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const require = createRequire(import.meta.url)
let zod: typeof import('zod') | undefined

/**
 * zod (the `zod` package's exports), loaded on first use. Where Node can `require` an ES module
 * (20.19+, 22.12+), the ES module itself: the instance `import 'zod'` gives, which a project's own
 * schemas usually come from. Else (or if that fails) zod's CommonJS build: another copy, as when a
 * project installs its own zod, which zod 4 supports (its registry and config live on `globalThis`).
 *
 * @example
 * const { z } = zodModule()
 * z.string().safeParse('x').success // true
 */
export function zodModule(): typeof import('zod') {
  zod ??= requireZod()
  return zod
}

function requireZod(): typeof import('zod') {
  const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true
  if (canRequireEsm && typeof import.meta.resolve === 'function') {
    try {
      return require(fileURLToPath(import.meta.resolve('zod'))) as typeof import('zod')
    } catch {
      // e.g. zod is still being loaded by an import in progress: fall back to the CommonJS build.
    }
  }
  return require('zod') as typeof import('zod')
}
