/**
 * Where the example's jobs run, chosen by `RIVERS_LAUNCHER`: this machine (unset, or `local`), a
 * Slurm cluster (`slurm`, submitting from here), or a Ray cluster (`ray`: the dashboard at
 * `RIVERS_RAY_ADDRESS`, else `RAY_ADDRESS` when it is an http(s) URL, else http://127.0.0.1:8265).
 * The Ray launcher is a plugin package, imported (and so registered as type `ray`) only when asked
 * for: the default path does not need it installed.
 */
import { type LauncherSetting, RiversError } from '@rivers-orchestrator/rivers'

/** The launchers the example knows. */
export const EXAMPLE_LAUNCHERS = ['local', 'slurm', 'ray'] as const

/**
 * A launcher the example can run its jobs on.
 *
 * @example
 * const where: ExampleLauncher = 'ray'
 */
export type ExampleLauncher = (typeof EXAMPLE_LAUNCHERS)[number]

/**
 * The launcher `RIVERS_LAUNCHER` names (`local` when unset or empty); an unknown name is refused,
 * naming the value and the ones that work.
 *
 * @example
 * launcherFromEnv({ RIVERS_LAUNCHER: 'ray' }) // 'ray'
 * launcherFromEnv({}) // 'local'
 */
export function launcherFromEnv(env: NodeJS.ProcessEnv = process.env): ExampleLauncher {
  const name = env.RIVERS_LAUNCHER?.trim()
  if (name === undefined || name === '') return 'local'
  if ((EXAMPLE_LAUNCHERS as readonly string[]).includes(name)) return name as ExampleLauncher
  throw unknownExampleLauncher(name)
}

/**
 * The launcher `RIVERS_LAUNCHER` names, with its plugin loaded and registered when it is one (`ray`).
 *
 * @example
 * const launcher = await useLauncher(process.env) // 'ray' when RIVERS_LAUNCHER=ray
 */
export async function useLauncher(env: NodeJS.ProcessEnv = process.env): Promise<ExampleLauncher> {
  const launcher = launcherFromEnv(env)
  if (launcher === 'ray') {
    try {
      // Registers launcher type 'ray' (its address comes from RIVERS_RAY_ADDRESS or RAY_ADDRESS).
      await import('@rivers-orchestrator/launcher-ray')
    } catch (e) {
      throw rayPluginMissing(e as Error)
    }
  }
  return launcher
}

/**
 * The `launcher` setting of an asset that runs on `launcher`: the built-ins by name, a plugin's by
 * its type (`{ type: 'ray' }`, the address from the environment; the Ray launcher checks it).
 *
 * @example
 * launcherSetting('ray') // { type: 'ray' }
 */
export function launcherSetting(launcher: ExampleLauncher): LauncherSetting {
  return launcher === 'ray' ? { type: 'ray' } : launcher
}

/**
 * `RIVERS_LAUNCHER` names no launcher the example knows.
 *
 * @example
 * throw unknownExampleLauncher('kubernetes')
 */
export function unknownExampleLauncher(name: string): RiversError {
  return new RiversError(
    'RIVERS_UNKNOWN_LAUNCHER',
    `RIVERS_LAUNCHER is ${JSON.stringify(name)}, but the example runs its jobs on ${EXAMPLE_LAUNCHERS.map((l) => `'${l}'`).join(', ')} only.\n` +
      "Fix: unset RIVERS_LAUNCHER (this machine), or set it to 'slurm' (sbatch from here) or 'ray' (with RIVERS_RAY_ADDRESS=http://<head>:8265).",
  )
}

function rayPluginMissing(e: Error): RiversError {
  return new RiversError(
    'RIVERS_UNKNOWN_LAUNCHER',
    `RIVERS_LAUNCHER is 'ray', but @rivers-orchestrator/launcher-ray could not be loaded (${e.message}).\n` +
      'Fix: install it beside the example (npm install @rivers-orchestrator/launcher-ray), or unset RIVERS_LAUNCHER.',
  )
}
