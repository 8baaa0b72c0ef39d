#!/usr/bin/env node
// The `assets` command. Registers tsx (so the user's TypeScript project file loads) and a hook that
// loads ES-module project files as ESM whatever the enclosing package's `type`; then runs main()
// and exits with its code.
//
// Installed from npm, the command runs its compiled JavaScript (dist/). In the Rivers checkout (the
// only place src/ exists: it is not published) it runs the TypeScript sources, and a hook resolves
// the workspace packages to their sources too (the `@rivers-orchestrator/source` export
// condition), so an edit is what the next command runs, with no build step.
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'
import { register } from 'tsx/esm/api'

// `assets list | head -1`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

const checkout = existsSync(new URL('../src/main.ts', import.meta.url))
const code = checkout ? '../src' : '../dist'

register()
registerHooks(`${code}/loader/esm-syntax.mjs`, import.meta.url)
if (checkout) {
  registerHooks('../src/loader/source-condition.mjs', import.meta.url)
  globalThis[Symbol.for('@rivers-orchestrator/source')] = true
}

const { main } = await import(checkout ? '../src/main.ts' : '../dist/main.js')
const exitCode = await main(process.argv)
process.exitCode = exitCode
// Output is flushed (stdout/stderr writes are synchronous on pipes, files and terminals); do not wait
// for timers or sockets that user code may have left open.
setTimeout(() => process.exit(exitCode), 50).unref()
