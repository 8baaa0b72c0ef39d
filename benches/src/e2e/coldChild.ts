/**
 * One cold process of the issue-12 split (spawned by `scenarios/e2eCold.ts`): times
 * `import('@rivers-orchestrator/rivers')`, then the definitions of a generated project (graph
 * generated first, outside the clock), then `openWorkspace` on a populated store and a `reload`
 * (store read + records load). Prints one JSON line.
 *
 * @example
 * // node --conditions=@rivers-orchestrator/source --import tsx benches/src/e2e/coldChild.ts 100000 dbt STORE DIR
 */
const t0 = performance.now()
const { openWorkspace } = await import('@rivers-orchestrator/rivers')
const importMs = performance.now() - t0
const { generate } = await import('../graphs.js')
const { projectFromGraph } = await import('./project.js')
type ShapeArg = Parameters<typeof generate>[0]

const [n = '0', shape = 'dbt', storeDir = '', projectDir = ''] = process.argv.slice(2)
const size = Number(n)
const g = generate(shape as ShapeArg, size, { seed: 1, order: 'topo' })
let t = performance.now()
const project = projectFromGraph(g, shape === 'dbt' ? `generated-${size}` : `generated-${shape}-${size}`)
const defineMs = performance.now() - t
t = performance.now()
const ws = await openWorkspace(project, { storeDir, projectDir, logLevel: 'silent' })
const openMs = performance.now() - t
t = performance.now()
await ws.reload()
const reloadMs = performance.now() - t
await ws.close()
process.stdout.write(`${JSON.stringify({ importMs, defineMs, openMs, reloadMs, n: size })}\n`)
