/**
 * Module loader hook of the differential test: a module under the test's temporary folder that is
 * imported by a module with `?gen=N` gets `?gen=N` too, so each generation of a generated project is
 * a fresh set of module instances in one long-lived process. Runs on Node's loader thread.
 */
let root = ''

export function initialize(data) {
  root = data.root
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context)
  const parent = context.parentURL
  if (parent === undefined || !resolved.url.startsWith(root) || resolved.url.includes('?')) return resolved
  const gen = /[?&]gen=(\d+)/.exec(parent)
  return gen === null ? resolved : { ...resolved, url: `${resolved.url}?gen=${gen[1]}` }
}
