'use strict'
// Hand-written wrapper around the napi-generated loader (index.js, never edited by hand). index.js
// picks the binary of this platform: a rivers.<target>.node beside it (built in the checkout), else
// the prebuilt package @rivers-orchestrator/native-<target> (an optional dependency). When neither
// loads, this turns its error into one that names the platform, the package looked for and the fix
// (load-error.cjs); it also adds the readable twin `toJSON()` to NativeGraph.
const fs = require('node:fs')
const path = require('node:path')
const { loadFailureMessage, supportedTargets, targetOf } = require('./load-error.cjs')

let binding
try {
  binding = require('./index.js')
} catch (cause) {
  const err = new Error(loadFailureMessage(observe(cause)), { cause })
  err.code = 'RIVERS_NATIVE_LOAD'
  err.exitCode = 2
  throw err
}

/** What the failure message needs to know about this machine and installation. */
function observe(cause) {
  const { platform, arch } = process
  const libc = platform === 'linux' ? (glibcVersion() ? 'glibc' : 'musl') : undefined
  const pkg = require('./package.json')
  const wanted = `${pkg.name}-${targetOf(platform, arch, libc)}`
  let installed = true
  try {
    require.resolve(`${wanted}/package.json`)
  } catch {
    installed = false
  }
  const root = path.resolve(__dirname, '..', '..')
  return {
    platform,
    arch,
    libc,
    node: process.version,
    supported: supportedTargets(pkg.optionalDependencies),
    installed,
    cause: causeLine(cause, process.env.NAPI_RS_NATIVE_LIBRARY_PATH || wanted),
    // Published packages hold no Cargo manifest: this is the Rivers checkout.
    checkout: fs.existsSync(path.join(__dirname, 'Cargo.toml')) ? root : undefined,
    override: process.env.NAPI_RS_NATIVE_LIBRARY_PATH || undefined,
  }
}

function glibcVersion() {
  const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null
  return report?.header?.glibcVersionRuntime
}

/**
 * The telling line of index.js's error, which chains the error of each attempt in `cause`: a
 * dynamic-linker error if any, else the attempt at `tried` (the platform package, or the override).
 */
function causeLine(cause, tried) {
  const lines = []
  for (let e = cause; e && lines.length < 16; e = e.cause) lines.push(String(e.message ?? e).split('\n')[0])
  return (
    lines.find((l) => /GLIBC|shared object|ELF|mismatch|dlopen/i.test(l)) ??
    lines.find((l) => l.includes(`'${tried}'`)) ??
    lines[0] ??
    String(cause)
  )
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
module.exports.NativePartitionedPlanner = binding.NativePartitionedPlanner
module.exports.partitionSetNormalize = binding.partitionSetNormalize
module.exports.partitionSetOp = binding.partitionSetOp
module.exports.partitionSetComplement = binding.partitionSetComplement
module.exports.partitionSetSize = binding.partitionSetSize
module.exports.validateMapping = binding.validateMapping
module.exports.mappingUpstreamOf = binding.mappingUpstreamOf
module.exports.versionFingerprints = binding.versionFingerprints
module.exports.inputFingerprintOfVersions = binding.inputFingerprintOfVersions
module.exports.mappingDownstreamOf = binding.mappingDownstreamOf
