import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { describe, expect, expectTypeOf, test } from 'vitest'
import { z } from 'zod'

import { asset, defineProject, formatBytes, parseQuantity, type AssetDef } from './index.js'
import { thrown } from './test-helpers.fixture.js'

describe('command assets', () => {
  test('asset({ key, command }) defines a job asset; its code version covers the command, env, cwd and the files it names', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rivers-cmd-'))
    writeFileSync(path.join(dir, 'train.py'), 'print(1)\n')
    const spec = {
      key: 'model/torch',
      command: ['python3', 'train.py'],
      env: { WANDB_MODE: 'offline' },
      cwd: dir,
      resources: { gpus: 1, memory: '16Gi' },
      launcher: 'slurm' as const,
    }
    const def = asset(spec)
    expect([def.command, def.env, def.cwd, def.launcher, def.resources]).toEqual([
      ['python3', 'train.py'],
      { WANDB_MODE: 'offline' },
      dir,
      'slurm',
      { gpus: 1, memory: '16Gi' },
    ])
    expect(Object.isFrozen(def.command)).toBe(true)
    const code = () => defineProject({ assets: [asset(spec)] }).byKey.get('model/torch')!.codeSource
    const before = code()
    expect(before).toContain('command ["python3","train.py"]')
    expect(before).toMatch(/file "train.py" sha256=[0-9a-f]{64}/)
    expect(before).toContain('env [["WANDB_MODE","offline"]]')
    writeFileSync(path.join(dir, 'train.py'), 'print(2)\n')
    expect(code()).not.toBe(before) // editing the script makes the asset stale
    expect(() => def.fn({}, {} as never)).toThrow(/runs a command, which only a launcher can run/)
  })

  test('a command may be computed from the inputs and config, and the value type follows `output`', () => {
    const features = asset({ key: 'features' }, () => ({ rows: 3 }))
    const model = asset({
      key: 'model',
      deps: { features },
      config: z.object({ epochs: z.number() }),
      output: z.object({ accuracy: z.number() }),
      command: ({ features }, ctx) => [
        'python3',
        'train.py',
        `--rows=${features.rows}`,
        `--epochs=${ctx.config.epochs}`,
      ],
    })
    expectTypeOf(model).toEqualTypeOf<
      AssetDef<{ accuracy: number }, { features: { rows: number } }, { epochs: number }>
    >()
    expectTypeOf(asset({ key: 'untyped', command: ['true'] })).toEqualTypeOf<AssetDef<unknown>>()
    expect(typeof model.command).toBe('function')
  })

  test('errors: command and function, env without command, reserved variables, bad launcher settings', () => {
    expect(thrown(() => asset({ key: 'both', command: ['true'] } as never, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'both' (defined at packages/rivers/src/definitions/command.test.ts:L:C):
        - command: the asset has both a command and a function
          Fix: give either command (a job run by a launcher) or a function, not both."
    `)
    expect(thrown(() => asset({ key: 'fn', env: { A: '1' }, cwd: '/tmp' }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'fn' (defined at packages/rivers/src/definitions/command.test.ts:L:C):
        - env: env applies to a command, and this asset has none
          Fix: add command: ['python', 'train.py'], or remove env (a function asset runs in this process).
        - cwd: cwd applies to a command, and this asset has none
          Fix: add command: ['python', 'train.py'], or remove cwd (a function asset runs in this process)."
    `)
    expect(
      thrown(() =>
        asset({ key: 'env', command: ['x'], env: { CUDA_VISIBLE_DEVICES: '0', RIVERS_OUTPUT: 'x', 'BAD-NAME': '1' } }),
      ),
    ).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'env' (defined at packages/rivers/src/definitions/command.test.ts:L:C):
        - env.CUDA_VISIBLE_DEVICES: 'CUDA_VISIBLE_DEVICES' is set by the launcher
          Fix: RIVERS_* variables carry the job protocol and CUDA_VISIBLE_DEVICES comes from resources.gpus; remove it from env.
        - env.RIVERS_OUTPUT: 'RIVERS_OUTPUT' is set by the launcher
          Fix: RIVERS_* variables carry the job protocol and CUDA_VISIBLE_DEVICES comes from resources.gpus; remove it from env.
        - env.BAD-NAME: 'BAD-NAME' is not a valid environment variable name
          Fix: env maps variable names to string values, e.g. { WANDB_MODE: 'offline' }."
    `)
    expect(thrown(() => asset({ key: 'cmd', command: [] as string[] }))).toContain(
      'command: expected at least the program',
    )
    expect(
      thrown(() => asset({ key: 'l', command: ['x'], launcher: { type: 'slurm', partiton: 'gpu' } as never })),
    ).toContain('launcher.partiton: unknown field')
    expect(thrown(() => asset({ key: 'l', command: ['x'], launcher: 'k8s' as never }))).toContain(
      "launcher: expected 'local', 'slurm', or { type: 'local' | 'slurm', ... }",
    )
    expect(thrown(() => defineProject({ assets: [], launcher: { type: 'local', gpus: 'all' } }))).toContain(
      "launcher.gpus: expected 'none', a count such as '2', or indices such as '0,1' (one index: '3,')",
    )
    expect(
      defineProject({ assets: [], launcher: { type: 'slurm', partition: 'gpu', ssh: { host: 'login1' } } }).launcher,
    ).toEqual({ type: 'slurm', partition: 'gpu', ssh: { host: 'login1' } })
    // A plugin's launcher type (registered with registerLauncher) checks its own settings.
    const ray = { type: 'ray', address: 'http://head:8265', pollInterval: '200ms' }
    expect(defineProject({ assets: [], launcher: ray }).launcher).toEqual(ray)
    expect(asset({ key: 'l', command: ['x'], launcher: ray }).launcher).toEqual(ray)
    expect(thrown(() => asset({ key: 'l', command: ['x'], launcher: { type: 'Not A Type' } }))).toContain(
      "launcher: expected 'local', 'slurm', or { type: 'local' | 'slurm', ... }",
    )
  })
})

describe('resources', () => {
  test('memory is a Kubernetes quantity (or bytes); gpus and gpusPerNode must agree; gpuType needs GPUs', () => {
    expect(thrown(() => asset({ key: 'r', resources: { memory: '100m' } }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'r' (defined at packages/rivers/src/definitions/command.test.ts:L:C):
        - resources.memory: expected bytes or a Kubernetes quantity such as '16Gi', '512Mi' or '2G'
          Fix: resources is { gpus?, gpuType?, cpus?, memory?: '16Gi', timeLimit?: '4h', nodes?, gpusPerNode? }."
    `)
    expect(thrown(() => asset({ key: 'r', resources: { nodes: 2, gpus: 8 } }, () => 1))).toMatchInlineSnapshot(`
      "DefinitionError RIVERS_INVALID_SPEC
      Invalid definition of asset 'r' (defined at packages/rivers/src/definitions/command.test.ts:L:C):
        - resources.gpus: with nodes: 2, say how many GPUs each node gets
          Fix: write gpusPerNode: 4 instead of gpus (gpus counts GPUs on one node)."
    `)
    expect(thrown(() => asset({ key: 'r', resources: { gpus: 4, nodes: 2, gpusPerNode: 1 } }, () => 1))).toContain(
      'resources.gpusPerNode: gpus (4) disagrees with nodes x gpusPerNode (2 x 1)',
    )
    expect(thrown(() => asset({ key: 'r', resources: { gpuType: 'a100' } }, () => 1))).toContain(
      'resources.gpuType: gpuType is given but no GPUs are asked for',
    )
    expect(
      asset({ key: 'ok', resources: { gpus: 8, nodes: 2, gpusPerNode: 4, memory: '1.5Gi' } }, () => 1).resources,
    ).toEqual({ gpus: 8, nodes: 2, gpusPerNode: 4, memory: '1.5Gi' })
  })

  test('parseQuantity reads binary and decimal suffixes, exponents, and the tolerated B', () => {
    const cases: [unknown, number | undefined][] = [
      ['16Gi', 16 * 2 ** 30],
      ['512Mi', 512 * 2 ** 20],
      ['2G', 2e9],
      ['1.5Gi', 1.5 * 2 ** 30],
      ['100k', 1e5],
      ['100K', 1e5],
      ['1e9', 1e9],
      ['1.5e3Ki', 1.5e3 * 1024],
      ['64GB', 64e9],
      ['512MiB', 512 * 2 ** 20],
      ['1E', 1e18],
      [1024, 1024],
      [0.5, 1],
      ['128', 128],
      ['100m', undefined],
      ['lots', undefined],
      ['', undefined],
      [0, undefined],
      [-1, undefined],
      ['-1Gi', undefined],
      ['16 Gi', 16 * 2 ** 30],
      [null, undefined],
    ]
    expect(cases.map(([v]) => parseQuantity(v))).toEqual(cases.map(([, b]) => b))
    expect([formatBytes(16 * 2 ** 30), formatBytes(1536 * 2 ** 20), formatBytes(100)]).toEqual(['16Gi', '1.5Gi', '100'])
  })
})
