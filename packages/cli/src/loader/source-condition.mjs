/**
 * Module loader hook, registered by bin/assets.mjs in the Rivers checkout only: resolves with the
 * `@rivers-orchestrator/source` export condition, so that `@rivers-orchestrator/rivers` (imported by
 * the CLI and by project files) is its TypeScript source, as under vitest and tsc, and never a stale
 * dist/. A package whose source target does not exist (an installed copy: src/ is not published)
 * resolves as usual.
 *
 * Runs on Node's loader thread, once per resolution.
 */
const SOURCE = '@rivers-orchestrator/source'

export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes(SOURCE)) return nextResolve(specifier, context)
  try {
    return await nextResolve(specifier, { ...context, conditions: [...context.conditions, SOURCE] })
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND') return nextResolve(specifier, context)
    throw error
  }
}
