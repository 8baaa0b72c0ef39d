import { afterEach, describe, expect, test } from 'vitest'

import { projectHooks } from './project-hooks.js'

const PROJECT_HOOKS = Symbol.for('@rivers-orchestrator/cli.project-hooks')
const slot = globalThis as Record<symbol, unknown>

afterEach(() => {
  delete slot[PROJECT_HOOKS]
})

describe('projectHooks', () => {
  test('without the binary (a test process) there is nothing to register', async () => {
    await expect(projectHooks()).resolves.toBeUndefined()
  })

  test("waits for the binary's registration before a project file is imported", async () => {
    const order: string[] = []
    slot[PROJECT_HOOKS] = async () => {
      await new Promise((resolve) => setTimeout(resolve, 10))
      order.push('registered')
    }
    await projectHooks()
    order.push('import')
    expect(order).toEqual(['registered', 'import'])
  })
})
