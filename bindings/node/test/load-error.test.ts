import { createRequire } from 'node:module'

import { describe, expect, it } from 'vitest'

import { publishedBindingManifest } from '../../../packages/release/stage-binding.js'
import { readManifest } from '../../../packages/release/workspace.js'
import type * as LoadError from '../load-error.cjs'

const require = createRequire(import.meta.url)
const { loadFailureMessage, supportedTargets, targetOf } = require('../load-error.cjs') as typeof LoadError
// The published package.json lists the platform packages (packages/release/stage-binding.ts).
const published = publishedBindingManifest(readManifest('bindings/node'))

const installedProject: LoadError.LoadFailure = {
  platform: 'linux',
  arch: 'x64',
  libc: 'glibc',
  node: 'v20.19.0',
  supported: supportedTargets(published.optionalDependencies),
  installed: false,
  cause: "Cannot find module '@rivers-orchestrator/native-linux-x64-gnu'",
  checkout: undefined,
  override: undefined,
}

describe('the native load failure message', () => {
  it('names the targets of the napi-rs platform packages', () => {
    expect(targetOf('linux', 'x64', 'glibc')).toBe('linux-x64-gnu')
    expect(targetOf('linux', 'arm64', 'musl')).toBe('linux-arm64-musl')
    expect(targetOf('darwin', 'arm64', undefined)).toBe('darwin-arm64')
    expect(targetOf('win32', 'x64', undefined)).toBe('win32-x64-msvc')
    expect(installedProject.supported).toEqual([
      'darwin-arm64',
      'darwin-x64',
      'linux-arm64-gnu',
      'linux-x64-gnu',
      'linux-x64-musl',
      'win32-x64-msvc',
    ])
  })

  it('platform package left out of an installed project: reinstall with optional dependencies', () => {
    expect(loadFailureMessage(installedProject)).toMatchInlineSnapshot(`
      "Rivers could not load its native planner for linux-x64-gnu (platform linux, arch x64, libc glibc; Node v20.19.0).
        looked for: @rivers-orchestrator/native-linux-x64-gnu (an optional dependency of @rivers-orchestrator/native), which is not installed
        cause: Cannot find module '@rivers-orchestrator/native-linux-x64-gnu'
        fix: reinstall with optional dependencies: rm -rf node_modules && npm install, without --no-optional or
             --omit=optional (nor optional=false in .npmrc). A package-lock.json written on another platform can
             leave it out too: npm install @rivers-orchestrator/native-linux-x64-gnu adds it.
        prebuilt for: darwin-arm64, darwin-x64, linux-arm64-gnu, linux-x64-gnu, linux-x64-musl, win32-x64-msvc
        from source: with a Rust toolchain (https://rustup.rs): git clone https://github.com/rivers-orchestrator/rivers && cd rivers && npm install,
             then run Rivers with NAPI_RS_NATIVE_LIBRARY_PATH=<clone>/bindings/node/rivers.linux-x64-gnu.node"
    `)
  })

  it('a platform without a prebuilt package: the supported targets, and how to build from source', () => {
    const text = loadFailureMessage({
      ...installedProject,
      platform: 'freebsd',
      arch: 'x64',
      libc: undefined,
      cause: 'Unsupported OS: freebsd',
    })
    expect(text).toMatchInlineSnapshot(`
      "Rivers could not load its native planner for freebsd-x64 (platform freebsd, arch x64; Node v20.19.0).
        looked for: @rivers-orchestrator/native-freebsd-x64, but no prebuilt binary is published for freebsd-x64
        cause: Unsupported OS: freebsd
        fix: no prebuilt binary fits this machine; build one from source (below).
        prebuilt for: darwin-arm64, darwin-x64, linux-arm64-gnu, linux-x64-gnu, linux-x64-musl, win32-x64-msvc
        from source: with a Rust toolchain (https://rustup.rs): git clone https://github.com/rivers-orchestrator/rivers && cd rivers && npm install,
             then run Rivers with NAPI_RS_NATIVE_LIBRARY_PATH=<clone>/bindings/node/rivers.freebsd-x64.node"
    `)
  })

  it('an installed binary the system cannot load (old glibc): reinstall, else build from source', () => {
    const text = loadFailureMessage({
      ...installedProject,
      installed: true,
      cause: "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found",
    })
    expect(text).toContain('which is installed but did not load')
    expect(text).toContain("cause: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found")
    expect(text).toContain('rm -rf node_modules/@rivers-orchestrator/native-linux-x64-gnu && npm install')
    expect(text).toContain('from source: with a Rust toolchain')
  })

  it('in the Rivers checkout: build the addon there, not a reinstall', () => {
    const text = loadFailureMessage({ ...installedProject, checkout: '/src/rivers', cause: 'x' })
    expect(text).toContain('looked for: /src/rivers/bindings/node/rivers.linux-x64-gnu.node (built in this checkout)')
    expect(text).toContain('fix: build the addon in this checkout: npm run build:native')
    expect(text).not.toContain('reinstall')
  })

  it('NAPI_RS_NATIVE_LIBRARY_PATH set: names the file it points at', () => {
    const text = loadFailureMessage({
      ...installedProject,
      override: '/opt/rivers.node',
      cause: "Cannot find module '/opt/rivers.node'",
    })
    expect(text).toContain('looked for: /opt/rivers.node (NAPI_RS_NATIVE_LIBRARY_PATH), which did not load')
    expect(text).toContain('or unset it')
  })

  it('an installed project never gets the checkout advice', () => {
    expect(loadFailureMessage(installedProject)).not.toMatch(/repository root|build:native/)
  })
})
