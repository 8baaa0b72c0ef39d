#!/usr/bin/env node
// The `assets` command: runs main() and exits with its code. Loading a project file needs tsx (a
// TypeScript project file) and a hook that loads ES-module project files as ESM whatever the
// enclosing package's `type`; those are registered when the CLI first loads a project file (see
// src/project-hooks.ts), not at start-up: module hooks run on a loader thread that costs about as
// much to start as the rest of the CLI, and `--version`, `--help` or `init` never need it.
//
// Installed from npm, the command runs its compiled JavaScript (dist/). In the Rivers checkout (the
// only place src/ exists: it is not published) it runs the TypeScript sources, and a hook resolves
// the workspace packages to their sources too (the `@rivers-orchestrator/source` export
// condition), so an edit is what the next command runs, with no build step.
import { existsSync } from 'node:fs'
import { register as registerHooks } from 'node:module'

// `assets list | head -1`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

const checkout = existsSync(new URL('../src/main.ts', import.meta.url))
const code = checkout ? '../src' : '../dist'

/** Registers tsx, once (in the checkout, the CLI's own sources need it from the start). */
let tsx
const registerTsx = () => {
  tsx ??= import('tsx/esm/api').then(({ register }) => register())
  return tsx
}
/** Called by the CLI before it imports a project file (src/project-hooks.ts): resolves once registered. */
let projectHooks
globalThis[Symbol.for('@rivers-orchestrator/cli.project-hooks')] = () => {
  projectHooks ??= registerTsx().then(() => registerHooks(`${code}/loader/esm-syntax.mjs`, import.meta.url))
  return projectHooks
}
if (checkout) {
  await registerTsx()
  registerHooks('../src/loader/source-condition.mjs', import.meta.url)
  globalThis[Symbol.for('@rivers-orchestrator/source')] = true
}

const { main } = await import(checkout ? '../src/main.ts' : '../dist/main.js')
const exitCode = await main(process.argv)
process.exitCode = exitCode
// Output is flushed (stdout/stderr writes are synchronous on pipes, files and terminals); do not wait
// for timers or sockets that user code may have left open.
setTimeout(() => process.exit(exitCode), 50).unref()
