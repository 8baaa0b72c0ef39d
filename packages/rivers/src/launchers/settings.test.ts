/**
 * Project launcher settings that reach the launcher objects: `maxRequeues` of a Slurm launcher and
 * `functions` of the local one, validated by `defineProject` (a bad value is refused naming it).
 */
import { afterEach, describe, expect, it } from 'vitest'

import { asset, defineProject } from '../definitions/index.js'
import { runsAsJob } from '../engine/launch.js'
import { registerBuiltinLaunchers } from './builtins.js'
import { LocalLauncher } from './local.js'
import { launcherFor, resetLaunchers } from './registry.js'
import { SlurmLauncher } from './slurm.js'

registerBuiltinLaunchers()
afterEach(() => resetLaunchers())

describe('launcher settings of a project', () => {
  it('maxRequeues reaches the Slurm launcher; a negative one is refused', () => {
    const fn = asset({ key: 'm' }, () => 1)
    const project = defineProject({ assets: [fn], launcher: { type: 'slurm', maxRequeues: 1 } })
    const launcher = launcherFor(project.launcher as { type: 'slurm' }, '/tmp/rivers-settings')
    expect(launcher).toBeInstanceOf(SlurmLauncher)
    expect((launcher as SlurmLauncher).options.maxRequeues).toBe(1)
    expect(() => defineProject({ assets: [fn], launcher: { type: 'slurm', maxRequeues: -1 } })).toThrow(/maxRequeues/)
  })

  it("functions: 'worker' makes the local launcher run function assets as jobs; the default keeps them in process", () => {
    const worker = launcherFor({ type: 'local', functions: 'worker', gpus: 'none' }, '/tmp/rivers-settings')
    const inProcess = launcherFor({ type: 'local', gpus: 'none' }, '/tmp/rivers-settings')
    expect(worker).toBeInstanceOf(LocalLauncher)
    expect([runsAsJob(worker), runsAsJob(inProcess)]).toEqual([true, false])
    expect(runsAsJob(launcherFor({ type: 'slurm' }, '/tmp/rivers-settings'))).toBe(true)
    expect(() =>
      defineProject({
        assets: [asset({ key: 'm' }, () => 1)],
        launcher: { type: 'local', functions: 'remote' as 'worker' },
      }),
    ).toThrow(/functions/)
  })
})
