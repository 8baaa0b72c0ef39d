/** What the loader saw when no binary loaded. */
export interface LoadFailure {
  platform: string
  arch: string
  /** 'glibc' or 'musl' on Linux, else undefined. */
  libc: 'glibc' | 'musl' | undefined
  /** `process.version`. */
  node: string
  /** Targets with a prebuilt package (`linux-x64-gnu`, …). */
  supported: string[]
  /** Whether the platform package of this machine resolves. */
  installed: boolean
  /** The telling line of the underlying error. */
  cause: string
  /** The repository root when this is the Rivers checkout, else undefined. */
  checkout: string | undefined
  /** NAPI_RS_NATIVE_LIBRARY_PATH, if set. */
  override: string | undefined
}

/**
 * The napi-rs target name of a platform.
 *
 * @example
 * targetOf('linux', 'x64', 'glibc') // 'linux-x64-gnu'
 */
export function targetOf(platform: string, arch: string, libc: 'glibc' | 'musl' | undefined): string

/**
 * The targets with a prebuilt package, from the binding's optional dependencies.
 *
 * @example
 * supportedTargets({ '@rivers-orchestrator/native-darwin-arm64': '0.1.0' }) // ['darwin-arm64']
 */
export function supportedTargets(optionalDependencies: Record<string, string> | undefined): string[]

/**
 * The text of the load failure: the platform, the package looked for, the cause and the fix.
 *
 * @example
 * const text = loadFailureMessage(found)
 */
export function loadFailureMessage(found: LoadFailure): string
