import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { assetLogger, createRunLogger, formatLogLine, secretCensor } from './log.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rivers-log-'))
})
afterEach(() => {
  vi.unstubAllEnvs()
  rmSync(dir, { recursive: true, force: true })
})

/** A writable that remembers what it got; `isTTY` to exercise colour detection. */
function sink(isTTY = false): Writable & { text: () => string; isTTY: boolean } {
  const chunks: string[] = []
  const w = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString())
      done()
    },
  }) as Writable & { text: () => string; isTTY: boolean }
  w.text = () => chunks.join('')
  w.isTTY = isTTY
  return w
}

const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe('createRunLogger', () => {
  it('writes one NDJSON file per run (mode 0600) and NDJSON to the destination when not pretty', async () => {
    const out = sink()
    const run = createRunLogger({ storeDir: dir, runId: 'r-1', level: 'info', pretty: false, destination: out })
    expect(run.path).toBe(join(dir, 'logs', 'r-1.ndjson'))
    run.logger.info({ selection: ['*'] }, 'run started')
    assetLogger(run.logger, 'raw/orders').warn({ rows: 3 }, 'short file')
    run.logger.debug('not shown')
    await run.close()
    await run.close() // idempotent
    expect(statSync(run.path).mode & 0o777).toBe(0o600)
    expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700)
    const records = lines(run.path)
    expect(records.map((r) => [r.level, r.msg, r.asset, r.runId])).toEqual([
      [30, 'run started', undefined, 'r-1'],
      [40, 'short file', 'raw/orders', 'r-1'],
    ])
    expect(records[0]?.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(
      out
        .text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['run started', 'short file'])
  })

  it('keeps info in the file when stderr is quieter, and honours a lower level in both', async () => {
    const quiet = sink()
    const a = createRunLogger({ storeDir: dir, runId: 'a', level: 'warn', pretty: false, destination: quiet })
    a.logger.info('only in the file')
    await a.close()
    expect(quiet.text()).toBe('')
    expect(lines(a.path).map((r) => r.msg)).toEqual(['only in the file'])

    const loud = sink()
    const b = createRunLogger({ storeDir: dir, runId: 'b', level: 'debug', pretty: false, destination: loud })
    b.logger.debug('details')
    await b.close()
    expect(lines(b.path).map((r) => r.msg)).toEqual(['details'])
    expect(loud.text()).toContain('details')

    const silent = sink()
    const c = createRunLogger({ storeDir: dir, runId: 'c', level: 'silent', pretty: true, destination: silent })
    c.logger.info('file only')
    await c.close()
    expect(silent.text()).toBe('')
    expect(lines(c.path)).toHaveLength(1)
  })

  it('closes cleanly when nothing was logged', async () => {
    const run = createRunLogger({ storeDir: dir, runId: 'empty', level: 'info', pretty: false, destination: sink() })
    await run.close()
    expect(readFileSync(run.path, 'utf8')).toBe('')
  })

  it('appends when the same run logs again', async () => {
    for (const msg of ['first', 'second']) {
      const run = createRunLogger({ storeDir: dir, runId: 'r', level: 'info', pretty: false, destination: sink() })
      run.logger.info(msg)
      await run.close()
    }
    expect(lines(join(dir, 'logs', 'r.ndjson')).map((r) => r.msg)).toEqual(['first', 'second'])
  })

  it('writes human-readable lines when pretty', async () => {
    const out = sink()
    const run = createRunLogger({
      storeDir: dir,
      runId: 'r',
      level: 'info',
      pretty: true,
      destination: out,
      color: false,
    })
    assetLogger(run.logger, 'raw').info({ rows: 3, file: 'a b.csv' }, 'loaded')
    run.logger.error(new Error('boom'), 'failed')
    await run.close()
    const [first, second, third] = out.text().split('\n')
    expect(first).toMatch(/^\d\d:\d\d:\d\d INFO {2}\[asset raw\] loaded rows=3 file="a b\.csv"$/)
    expect(second).toMatch(/^\d\d:\d\d:\d\d ERROR failed$/)
    expect(third).toBe('    Error: boom')
    expect(lines(run.path)[1]).toMatchObject({ msg: 'failed', err: { message: 'boom' } })
  })

  it('colours a TTY unless NO_COLOR is set', async () => {
    vi.stubEnv('NO_COLOR', undefined)
    const tty = sink(true)
    const a = createRunLogger({ storeDir: dir, runId: 'a', level: 'info', pretty: true, destination: tty })
    a.logger.info('hi')
    await a.close()
    expect(tty.text()).toContain('\u001b[')

    vi.stubEnv('NO_COLOR', '1')
    const plain = sink(true)
    const b = createRunLogger({ storeDir: dir, runId: 'b', level: 'info', pretty: true, destination: plain })
    b.logger.info('hi')
    await b.close()
    expect(plain.text()).not.toContain('\u001b[')
  })

  it('keeps secrets out of the file and the destination, by path and by value', async () => {
    const secret = 'sk-live-"quoted"-0123456789'
    for (const pretty of [false, true]) {
      const out = sink()
      const runId = pretty ? 'pretty' : 'json'
      const run = createRunLogger({
        storeDir: dir,
        runId,
        level: 'info',
        pretty,
        destination: out,
        color: false,
        redact: { paths: ['config.password', 'headers.authorization'], values: [secret, '424242'] },
      })
      const log = assetLogger(run.logger, 'train')
      log.info({ config: { password: 'pw-by-path', lr: 0.1 }, headers: { authorization: 'Bearer abc' } }, 'starting')
      log.info(`token is ${secret}`)
      log.info({ nested: { list: [secret, `x${secret}y`] }, [secret]: 1, pin: 424242 }, 'values')
      log.error(new Error(`login failed for ${secret}`), 'auth')
      run.logger.child({ token: secret }).info('child bindings')
      await run.close()
      const file = readFileSync(run.path, 'utf8')
      for (const text of [file, out.text()]) {
        expect(text).not.toContain('sk-live')
        expect(text).not.toContain('pw-by-path')
        expect(text).not.toContain('Bearer abc')
        expect(text).not.toContain('424242')
        expect(text).toContain('[redacted]')
      }
      const records = lines(run.path) // still valid JSON
      expect(records[0]).toMatchObject({ config: { password: '[redacted]', lr: 0.1 } })
      expect(records[1]?.msg).toBe('token is [redacted]')
      expect(records[2]).toMatchObject({
        nested: { list: ['[redacted]', 'x[redacted]y'] },
        '[redacted]': 1,
        pin: '[redacted]',
      })
    }
  })

  it('refuses a run id that cannot name a file', () => {
    expect(() =>
      createRunLogger({ storeDir: dir, runId: '../x', level: 'info', pretty: false }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Run id "../x" cannot name a log file: use only A-Z a-z 0-9 _ - . (not '.' or '..').]`,
    )
  })
})

describe('formatLogLine', () => {
  it('formats time, level, asset, message and fields', () => {
    const time = new Date(2026, 0, 1, 12, 0, 1).toISOString()
    expect(
      formatLogLine(
        { level: 30, time, runId: 'r', pid: 1, asset: 'raw', msg: 'message', key: 'value', n: 2, o: { a: 1 } },
        false,
      ),
    ).toBe('12:00:01 INFO  [asset raw] message key=value n=2 o={"a":1}\n')
    expect(formatLogLine({ level: 40, time, msg: 'careful' }, true)).toBe(
      '\u001b[2m12:00:01\u001b[0m \u001b[33mWARN \u001b[0m careful\n',
    )
  })
})

describe('secretCensor', () => {
  it('is a no-op without secrets and leaves lines without them untouched', () => {
    expect(secretCensor([])).toBeUndefined()
    expect(secretCensor([''])).toBeUndefined()
    const censor = secretCensor(['hunter2'])
    const line = '{"msg":"fine","level":30}\n'
    expect(censor?.(line)).toBe(line)
    expect(censor?.('{"msg":"pw=hunter2"}\n')).toBe('{"msg":"pw=[redacted]"}\n')
  })
})
