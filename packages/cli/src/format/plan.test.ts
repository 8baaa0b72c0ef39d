import { describe, expect, test } from 'vitest'
import { formatPlan } from './plan.js'
import { makeStyle } from './style.js'

const plain = makeStyle({ color: false, unicode: true })

describe('formatPlan', () => {
  test('layers in order', () => {
    expect(
      formatPlan(
        {
          selection: ['+model', 'report'],
          force: false,
          layers: [['raw'], ['features', 'orders'], ['model'], ['report']],
          count: 5,
        },
        plain,
      ),
    ).toMatchSnapshot()
  })

  test('forced', () => {
    expect(formatPlan({ selection: ['*'], force: true, layers: [['raw']], count: 1 }, plain)).toMatchSnapshot()
  })

  test('nothing to do', () => {
    expect(formatPlan({ selection: ['*'], force: false, layers: [], count: 0 }, plain)).toMatchInlineSnapshot(
      `"Nothing to do for *: every selected asset is fresh."`,
    )
  })
})
