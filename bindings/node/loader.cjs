'use strict'
// Hand-written wrapper around the napi-generated loader (index.js, never edited by hand): turns a
// failure to load the native addon into a message that says which file, which platform, and what
// to do, and adds the readable twin `toJSON()` to NativeGraph.
const path = require('node:path')

function platformTag() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const glibc =
      process.report &&
      typeof process.report.getReport === 'function' &&
      process.report.getReport().header.glibcVersionRuntime
    return `${platform}-${arch}-${glibc ? 'gnu' : 'musl'}`
  }
  return `${platform}-${arch}`
}

let binding
try {
  binding = require('./index.js')
} catch (cause) {
  const file = path.join(__dirname, `rivers.${platformTag()}.node`)
  const err = new Error(
    `Rivers could not load its native planner for ${platformTag()} (Node ${process.version}).\n` +
      `  expected file: ${file}\n` +
      `  cause: ${cause?.message ? cause.message.split('\n')[0] : String(cause)}\n` +
      '  fix: run `npm install` at the repository root (it builds the addon with cargo), or `npm run build:native`',
    { cause },
  )
  err.code = 'RIVERS_NATIVE_LOAD'
  throw err
}

/** Readable twin of the typed-array API: the whole state as plain objects (tests, debugging). */
binding.NativeGraph.prototype.toJSON = function toJSON() {
  return JSON.parse(this.debugJson())
}

// Named exports spelled out so that ESM `import { NativeGraph } from '@rivers-orchestrator/native'` sees them.
module.exports.NativeGraph = binding.NativeGraph
module.exports.hashBytes = binding.hashBytes
module.exports.hashFile = binding.hashFile
module.exports.hashFiles = binding.hashFiles
module.exports.hashStrings = binding.hashStrings
module.exports.Status = binding.Status
module.exports.CauseKind = binding.CauseKind
module.exports.NO_DEP = binding.NO_DEP
