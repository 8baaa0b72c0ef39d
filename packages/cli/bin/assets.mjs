#!/usr/bin/env node
// The `assets` command. Registers tsx (so the CLI's TypeScript sources and the user's TypeScript
// project file load) and a hook that loads ES-module project files as ESM whatever the enclosing
// package's `type`; then runs main() and exits with its code.
import { register as registerHooks } from 'node:module'
import { register } from 'tsx/esm/api'

// `assets list | head -1`: a closed pipe ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

register()
registerHooks('../src/loader/esm-syntax.mjs', import.meta.url)

const { main } = await import('../src/main.ts')
const code = await main(process.argv)
process.exitCode = code
// Output is flushed (stdout/stderr writes are synchronous on pipes, files and terminals); do not wait
// for timers or sockets that user code may have left open.
setTimeout(() => process.exit(code), 50).unref()
