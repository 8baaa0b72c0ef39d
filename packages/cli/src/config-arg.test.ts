import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { readConfigArg } from './config-arg.js'
import { jsonErrorPosition, maskJsonStrings } from './errors.js'

const dir = mkdtempSync(path.join(tmpdir(), 'rivers-cli-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const message = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: Error) => `${(e as { code?: string }).code} ${e.message}`,
  )

describe('readConfigArg', () => {
  test('inline JSON and files', async () => {
    expect(await readConfigArg(' {"model":{"epochs":3}}', dir)).toEqual({ model: { epochs: 3 } })
    writeFileSync(path.join(dir, 'prod.json'), '{\n  "model": { "lr": 0.1 }\n}\n')
    expect(await readConfigArg('prod.json', dir)).toEqual({ model: { lr: 0.1 } })
  })

  test('a broken file points at the line and column', async () => {
    writeFileSync(path.join(dir, 'bad.json'), '{\n  "model": { "lr": 0.1 }\n  "x": 1\n}\n')
    expect(await message(readConfigArg('bad.json', dir))).toMatchInlineSnapshot(`
      "RIVERS_BAD_CONFIG --config file bad.json is not valid JSON: Expected ',' or '}' after property value in JSON at position 29
          "x": 1
          ^ line 3, column 3
      Fix: pass a JSON object mapping asset keys to their config, e.g. --config '{"model":{"epochs":3}}' (single quotes keep the shell away from the double quotes), or the path to a .json file."
    `)
  })

  test('truncated input points at its end', async () => {
    expect(await message(readConfigArg('{"a":', dir))).toContain('{"a":\n       ^ line 1, column 6')
  })
})

test('jsonErrorPosition reads both message styles', () => {
  expect(jsonErrorPosition('Unexpected token } in JSON at position 4', '{"a"}')).toEqual({
    line: 1,
    column: 5,
    lineText: '{"a"}',
  })
  expect(jsonErrorPosition('Expected property name (line 2 column 3)', '{\n  x}')).toEqual({
    line: 2,
    column: 3,
    lineText: '  x}',
  })
  expect(jsonErrorPosition('something else', '{')).toBeUndefined()
})

test('string values (never keys) are masked in messages about broken JSON: config may hold secrets', async () => {
  expect(maskJsonStrings('{"api": {"token": "hunter2", "n": 3, "list": ["a\\"b", "c"]}}')).toBe(
    '{"api": {"token": "*******", "n": 3, "list": ["****", "*"]}}',
  )
  expect(maskJsonStrings('{"token":"hunter2')).toBe('{"token":"*******')
  const text = await message(readConfigArg('{"api":{"token":"hunter2" "x":1}}', dir))
  expect(text).not.toContain('hunter2')
  expect(text).toContain('{"api":{"token":"*******" "x":1}}\n                            ^ line 1, column 27')
  expect(await message(readConfigArg('"hunter2"', dir))).not.toContain('hunter2')
  expect(await message(readConfigArg('{"token": hunter2}', dir))).not.toContain('hunter2')
})
