import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'

import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'

// Jobs are real processes (and Slurm jobs): allow for a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

import { CLIENTS_DIR, prepareJobFiles, readJobOutput } from './files.js'
import { parseMessage } from './protocol.js'
import { JobReport } from './report.js'
import { LineFollower } from './tail.js'

const dir = (): string => mkdtempSync(path.join(tmpdir(), 'rivers-job-'))

function captureLog() {
  const lines: Record<string, unknown>[] = []
  const log = pino(
    { level: 'trace' },
    new Writable({
      write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), done()),
    }),
  )
  return { log, lines }
}

describe('messages', () => {
  it('parses every message type and says what is wrong with a bad one', () => {
    expect(parseMessage('{"type":"log","level":"warning","message":"hi"}')).toEqual({
      ok: true,
      message: { type: 'log', level: 'warn', message: 'hi' },
    })
    expect(parseMessage('{"type":"metric","name":"loss","value":0.5,"step":3}')).toEqual({
      ok: true,
      message: { type: 'metric', name: 'loss', value: 0.5, step: 3 },
    })
    expect(parseMessage('{"type":"metric","name":"loss","value":null}')).toMatchObject({
      ok: true,
      message: { value: Number.NaN },
    })
    expect(parseMessage('{"type":"metadata","data":{"device":"cuda"}}')).toEqual({
      ok: true,
      message: { type: 'metadata', data: { device: 'cuda' } },
    })
    expect(parseMessage('{"type":"data_version","value":"v1"}')).toEqual({
      ok: true,
      message: { type: 'data_version', value: 'v1' },
    })
    expect(parseMessage('{"type":"output","path":"model.pt"}')).toEqual({
      ok: true,
      message: { type: 'output', path: 'model.pt' },
    })
    expect(
      [
        '{',
        '[1]',
        '{"type":"metric","value":1}',
        '{"type":"metric","name":"x","value":1,"step":1.5}',
        '{"type":"progress"}',
        '{"type":"log","level":"loud","message":"x"}',
      ].map((l) => parseMessage(l)),
    ).toEqual([
      { ok: false, problem: 'not JSON' },
      { ok: false, problem: 'not a JSON object' },
      { ok: false, problem: 'a metric needs a string `name`' },
      { ok: false, problem: "metric 'x': `step` must be an integer" },
      {
        ok: false,
        problem: 'unknown message type "progress" (use log, metric, metadata, data_version, output, artifact)',
      },
      { ok: false, problem: 'unknown log level "loud" (use trace, debug, info, warn, error, fatal)' },
    ])
  })

  it('follows a file written in pieces: only complete lines, the last partial one at the end', async () => {
    const file = path.join(dir(), 'out.log')
    const f = new LineFollower(file)
    expect(await f.read()).toEqual([]) // no file yet
    writeFileSync(file, 'one\ntw')
    expect(await f.read()).toEqual(['one'])
    appendFileSync(file, 'o\r\nthree')
    expect(await f.read()).toEqual(['two'])
    expect(await f.read({ final: true })).toEqual(['three'])
  })

  it('a report applies messages as they arrive and logs the invalid ones', async () => {
    const d = dir()
    const file = path.join(d, 'messages.jsonl')
    const { log, lines } = captureLog()
    const report = new JobReport(file, log)
    writeFileSync(
      file,
      '{"type":"metric","name":"loss","value":1,"step":0}\n{"type":"log","level":"info","message":"epoch 0"}\nnot json\n',
    )
    await report.poll()
    appendFileSync(
      file,
      '{"type":"metadata","data":{"a":1}}\n{"type":"metadata","data":{"b":2}}\n{"type":"data_version","value":"v7"}',
    )
    await report.poll({ final: true })
    expect([report.metrics, report.metadata, report.dataVersion, report.invalid]).toEqual([
      [{ name: 'loss', value: 1, step: 0 }],
      { a: 1, b: 2 },
      'v7',
      1,
    ])
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'epoch 0'],
      [40, 'the job wrote an invalid message (line 3 of messages.jsonl): not JSON'],
    ])
  })

  it('reads a JSON output as a value, any other file as bytes, and names the file it cannot parse', async () => {
    const d = dir()
    writeFileSync(path.join(d, 'a.json'), '{"x":1}')
    writeFileSync(path.join(d, 'b.bin'), Buffer.from([1, 2]))
    writeFileSync(path.join(d, 'c.json'), '{oops')
    expect(await readJobOutput('k', path.join(d, 'a.json'))).toEqual({ x: 1 })
    expect(await readJobOutput('k', path.join(d, 'b.bin'))).toEqual(Buffer.from([1, 2]))
    expect(await readJobOutput('k', path.join(d, 'none.json'))).toBeUndefined()
    await expect(readJobOutput('k', path.join(d, 'c.json'))).rejects.toThrow(
      /The job of asset 'k' left an output Rivers cannot read at .*c\.json/,
    )
  })
})

describe('clients', () => {
  const run = (cmd: string[], env: Record<string, string>) =>
    execFileSync(cmd[0]!, cmd.slice(1), {
      env: { ...process.env, ...env, PYTHONPATH: CLIENTS_DIR },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })

  for (const [name, program] of [
    [
      'python (rivers_job.py)',
      (d: string) => {
        writeFileSync(
          path.join(d, 'job.py'),
          [
            'import rivers_job as rj',
            'x = rj.read_input_json("x")',
            'rj.log("hello", "warning")',
            'rj.metric("loss", 0.25, step=2)',
            'rj.metric("nan", float("nan"))',
            'rj.metadata({"device": "cpu"})',
            'rj.data_version("v1")',
            `open(${JSON.stringify(path.join(d, 'plot.txt'))}, "w").write("p")`,
            `rj.attach(${JSON.stringify(path.join(d, 'plot.txt'))}, "roc.txt")`,
            'rj.write_output_json({"doubled": [2 * v for v in x], "config": rj.config()})',
          ].join('\n'),
        )
        return ['python3', path.join(d, 'job.py')]
      },
    ],
    [
      'javascript (rivers-job.mjs)',
      (d: string) => {
        writeFileSync(
          path.join(d, 'job.mjs'),
          [
            `import * as rj from ${JSON.stringify(path.join(CLIENTS_DIR, 'rivers-job.mjs'))}`,
            'const x = rj.readInputJson("x")',
            'rj.log("hello", "warn")',
            'rj.metric("loss", 0.25, 2)',
            'rj.metric("nan", NaN)',
            'rj.metadata({ device: "cpu" })',
            'rj.dataVersion("v1")',
            `;(await import("node:fs")).writeFileSync(${JSON.stringify(path.join(d, 'plot.txt'))}, "p")`,
            `rj.attach(${JSON.stringify(path.join(d, 'plot.txt'))}, "roc.txt")`,
            'rj.writeOutputJson({ doubled: x.map((v) => 2 * v), config: rj.config() })',
          ].join('\n'),
        )
        return ['node', path.join(d, 'job.mjs')]
      },
    ],
  ] as const) {
    it(`${name}: reads the protocol environment and writes messages Rivers parses`, async () => {
      const d = dir()
      writeFileSync(path.join(d, 'x.json'), '[1,2,3]')
      const files = prepareJobFiles({
        jobDir: path.join(d, 'job'),
        runId: 'r1',
        assetKey: 'k',
        attempt: 1,
        config: { lr: 0.1 },
        inputs: { x: path.join(d, 'x.json') },
        gpus: [],
        resources: {},
        launcher: 'local',
      })
      run(program(d), files.env)
      const report = new JobReport(files.messagesPath, captureLog().log)
      await report.poll({ final: true })
      expect(report.invalid).toBe(0)
      expect(report.metrics).toEqual([
        { name: 'loss', value: 0.25, step: 2 },
        { name: 'nan', value: Number.NaN },
      ])
      expect([report.metadata, report.dataVersion]).toEqual([{ device: 'cpu' }, 'v1'])
      expect(report.artifacts).toEqual([{ path: path.join(d, 'plot.txt'), name: 'roc.txt' }])
      expect(JSON.parse(readFileSync(files.outputPath, 'utf8'))).toEqual({ doubled: [2, 4, 6], config: { lr: 0.1 } })
      // Only rank 0 of a multi-node job reports.
      const rank1 = prepareJobFiles({
        jobDir: path.join(d, 'rank1'),
        runId: 'r1',
        assetKey: 'k',
        attempt: 1,
        config: null,
        inputs: { x: path.join(d, 'x.json') },
        gpus: [],
        resources: {},
        launcher: 'slurm',
      })
      run(program(d), { ...rank1.env, SLURM_PROCID: '1' })
      expect(
        readFileSync(rank1.messagesPath, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string }),
      ).toEqual([{ type: 'log', level: 'warn', message: '[rank 1] hello' }])
    })
  }
})
