/**
 * Code versions that cover everything an asset's result can depend on through code: its function,
 * its own definition texts, the local modules reachable from its definition stack, and the npm
 * packages they import (see `version.ts`, and the README's staleness section for the limits).
 */
export { closureCodeVersions, type CodeVersionOptions } from './version.js'
export { describeCodeChange, type ClosureManifest, type VersionManifest } from './manifest.js'
export { codeChangeDetails } from './changes.js'
