import { fileURLToPath } from 'node:url'

import { describe, expect, it } from 'vitest'

import { framesFromStackText, parseFrames } from './frames.js'

/** A module of Rivers itself: its frames are left out. */
const LIBRARY_FILE = fileURLToPath(new URL('../definitions/asset.ts', import.meta.url))

describe('definition stacks', () => {
  it("keeps user and npm frames with the callee's names, and stops at Node's module loader", () => {
    const stack = [
      'Error',
      `    at asset (${LIBRARY_FILE}:70:16)`,
      '    at above (file:///p/src/factory.ts?gen=3:4:10)',
      '    at Array.map (<anonymous>)',
      '    at Object.build [as make] (/p/node_modules/helpers/index.js:2:3)',
      '    at file:///p/rivers.config.ts:8:22',
      '    at ModuleJob.run (node:internal/modules/esm/module_job:325:25)',
      '    at async file:///cli/main.ts:1:1',
    ].join('\n')
    const compact = framesFromStackText(stack)
    expect(parseFrames(compact, new Map())).toEqual([
      { file: '/p/src/factory.ts', line: 4, col: 10, callees: ['asset'], exact: true },
      { file: '/p/node_modules/helpers/index.js', line: 2, col: 3, callees: ['map'], exact: true },
      { file: '/p/rivers.config.ts', line: 8, col: 22, callees: ['build', 'make'], exact: true },
    ])
  })
})
