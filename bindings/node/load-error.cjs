'use strict'
// The message shown when no native binary of the planner fits this machine (loader.cjs builds it
// from what it found). Pure functions of their arguments, so every case is unit-tested.

const PACKAGE = '@rivers-orchestrator/native'
const REPOSITORY = 'https://github.com/rivers-orchestrator/rivers'

/**
 * The napi-rs target name of a platform, as in the platform packages' names (`linux-x64-gnu`).
 *
 * @example
 * targetOf('linux', 'x64', 'glibc') // 'linux-x64-gnu'
 */
function targetOf(platform, arch, libc) {
  if (platform === 'linux') return `linux-${arch}-${libc === 'musl' ? 'musl' : 'gnu'}`
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

/**
 * The targets with a prebuilt package: the binding's optional dependencies `<PACKAGE>-<target>`.
 *
 * @example
 * supportedTargets({ '@rivers-orchestrator/native-darwin-arm64': '0.1.0' }) // ['darwin-arm64']
 */
function supportedTargets(optionalDependencies) {
  return Object.keys(optionalDependencies || {})
    .filter((name) => name.startsWith(`${PACKAGE}-`))
    .map((name) => name.slice(PACKAGE.length + 1))
    .sort()
}

/**
 * The text of the load failure.
 *
 * `found`: what the loader saw, `{ platform, arch, libc, node, supported, installed, cause, checkout, override }`:
 * `libc` is 'glibc', 'musl' or undefined (not Linux); `installed` whether the platform package
 * resolves; `checkout` the repository root when this is the Rivers checkout (not an installed
 * package); `override` the value of NAPI_RS_NATIVE_LIBRARY_PATH, if set.
 *
 * @example
 * loadFailureMessage({ platform: 'linux', arch: 'x64', libc: 'glibc', node: 'v20.0.0', supported: ['linux-x64-gnu'],
 *   installed: false, cause: 'Cannot find native binding', checkout: undefined, override: undefined })
 */
function loadFailureMessage(found) {
  const target = targetOf(found.platform, found.arch, found.libc)
  const wanted = `${PACKAGE}-${target}`
  const machine = `platform ${found.platform}, arch ${found.arch}${found.libc === undefined ? '' : `, libc ${found.libc}`}`
  const lines = [`Rivers could not load its native planner for ${target} (${machine}; Node ${found.node}).`]
  const supported = found.supported.includes(target)
  if (found.override !== undefined) {
    lines.push(`  looked for: ${found.override} (NAPI_RS_NATIVE_LIBRARY_PATH), which did not load`)
  } else if (found.checkout !== undefined) {
    lines.push(
      `  looked for: ${found.checkout}/bindings/node/rivers.${target}.node (built in this checkout), then ${wanted}`,
    )
  } else if (!supported) {
    lines.push(`  looked for: ${wanted}, but no prebuilt binary is published for ${target}`)
  } else if (!found.installed) {
    lines.push(`  looked for: ${wanted} (an optional dependency of ${PACKAGE}), which is not installed`)
  } else {
    lines.push(`  looked for: ${wanted}, which is installed but did not load`)
  }
  lines.push(`  cause: ${found.cause}`)
  lines.push(...fix(found, target, wanted, supported))
  return lines.join('\n')
}

function fix(found, target, wanted, supported) {
  const prebuilt = `  prebuilt for: ${found.supported.join(', ')}`
  const fromSource = [
    `  from source: with a Rust toolchain (https://rustup.rs): git clone ${REPOSITORY} && cd rivers && npm install,`,
    `       then run Rivers with NAPI_RS_NATIVE_LIBRARY_PATH=<clone>/bindings/node/rivers.${target}.node`,
  ]
  if (found.override !== undefined)
    return [
      `  fix: point NAPI_RS_NATIVE_LIBRARY_PATH at a rivers.${target}.node built for this machine, or unset it`,
      `       to use the prebuilt package ${wanted}.`,
    ]
  if (found.checkout !== undefined)
    return ['  fix: build the addon in this checkout: npm run build:native (needs a Rust toolchain).']
  if (!supported)
    return [`  fix: no prebuilt binary fits this machine; build one from source (below).`, prebuilt, ...fromSource]
  if (!found.installed)
    return [
      '  fix: reinstall with optional dependencies: rm -rf node_modules && npm install, without --no-optional or',
      '       --omit=optional (nor optional=false in .npmrc). A package-lock.json written on another platform can',
      `       leave it out too: npm install ${wanted} adds it.`,
      prebuilt,
      ...fromSource,
    ]
  return [
    `  fix: reinstall it: rm -rf node_modules/${wanted} && npm install. If the cause names a GLIBC version,`,
    '       this system is older than the prebuilt binary supports: build it from source (below).',
    ...fromSource,
  ]
}

module.exports = { loadFailureMessage, supportedTargets, targetOf }
