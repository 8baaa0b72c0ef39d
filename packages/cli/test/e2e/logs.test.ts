/**
 * `assets logs`: a run's log in the live run's line format, filtered by asset and level, an unknown
 * run id refused with a did-you-mean, and `--follow` on a run started in parallel (to its end, and
 * stopped by Ctrl-C with 130).
 */
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { makeProject, removeProjects } from './project.js'

afterAll(removeProjects)

const T = { timeout: 60_000 }

const project = `import { existsSync, writeFileSync } from 'node:fs'
import { asset, defineProject } from '@rivers-orchestrator/rivers'
const raw = asset({ key: 'raw' }, (_inputs, ctx) => {
  ctx.log.info({ rows: 3 }, 'read the rows')
  return [1, 2, 3]
})
const job = asset({
  key: 'job',
  deps: { raw },
  command: [process.execPath, '-e', "console.log('hello from the job'); console.error('a warning on stderr')"],
})
const slow = asset({ key: 'slow', deps: { raw } }, async (_inputs, ctx) => {
  if (process.env.WAIT === '1') {
    ctx.log.info('waiting for go')
    writeFileSync('started', '')
    while (!existsSync('go')) await new Promise((r) => setTimeout(r, 50))
    ctx.log.warn('going')
  }
  return 1
})
export default defineProject({ assets: [job, slow] })
`

/** Times, run ids, job ids, durations and paths vary: masked. */
const mask = (text: string) =>
  text
    .replaceAll(process.execPath, 'node')
    .replace(/\/\S*\/rivers-e2e-[^/]+/g, '<project>')
    .replace(/^\d\d:\d\d:\d\d/gm, 'HH:MM:SS')
    .replace(/\d{8}T\d{6}Z-[0-9a-f]+/g, 'RUN')
    .replace(/durationMs=\d+/g, 'durationMs=N')
    .replace(/job=\d+/g, 'job=ID')
    .replace(/local job \d+/g, 'local job ID')

/** Calls `then` once the child printed something on stdout. */
const onFirstOutput = (then: (child: import('node:child_process').ChildProcess) => void) => ({
  onSpawn: (child: import('node:child_process').ChildProcess) =>
    void child.stdout?.once('data', () => setTimeout(() => then(child), 300)),
})

async function whenExists(file: string): Promise<void> {
  for (let i = 0; i < 400 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50))
}

describe('a finished run', () => {
  const p = makeProject({ 'rivers.config.ts': project })
  let runId: string
  beforeAll(async () => {
    const r = await p.run(['materialize', '--json'])
    expect(r.code, r.stderr).toBe(0)
    runId = r.json().runId
  }, 60_000)

  test('logs: the latest run, as the live run prints it; which run on stderr', T, async () => {
    const r = await p.run(['logs'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toBe(`run ${runId} (the latest)\n`)
    expect(mask(r.stdout)).toMatchSnapshot()
    expect((await p.run(['logs', runId])).stdout).toBe(r.stdout)
  })

  test('logs --asset: one asset, its job stdout/stderr included; --level', T, async () => {
    const job = await p.run(['logs', '--asset', 'job'])
    expect(job.code, job.stderr).toBe(0)
    expect(mask(job.stdout)).toMatchSnapshot()
    expect(job.stdout).toMatch(/\[asset job\] hello from the job job=\d+ stream=stdout/)
    expect(job.stdout).toMatch(/\[asset job\] a warning on stderr job=\d+ stream=stderr/)
    expect(job.stdout).not.toContain('read the rows')
    const warn = await p.run(['logs', '--level', 'warn'])
    expect(mask(warn.stdout)).toMatchSnapshot()
  })

  test('logs --json: one document with the records as the file has them', T, async () => {
    const doc = (await p.run(['logs', '--json', '--asset', 'raw'])).json()
    expect(doc.runId).toBe(runId)
    expect(doc.records).toHaveLength(1)
    expect(doc.records[0]).toMatchObject({ level: 30, asset: 'raw', msg: 'read the rows', rows: 3, runId })
  })

  test('an unknown run id or asset: did-you-mean, exit 2', T, async () => {
    const r = await p.run(['logs', runId.slice(0, -2)])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.replaceAll(runId, 'RUN').replaceAll(runId.slice(0, -2), 'PREFIX')).toMatchInlineSnapshot(`
      "error: no run "PREFIX" in this store (did you mean "RUN"?): run \`assets runs\` to see the run ids
      "
    `)
    const a = await p.run(['logs', '--asset', 'jb'])
    expect(a.code).toBe(2)
    expect(a.stderr).toContain('no asset "jb" in this project (did you mean "job"?)')
  })
})

test('logs before any run: exit 2, says what to do', T, async () => {
  const p = makeProject({ 'rivers.config.ts': project })
  const r = await p.run(['logs'])
  expect(r.code).toBe(2)
  expect(r.stderr).toBe('error: no runs in this store yet: run `assets materialize` first\n')
})

test('logs --help', T, async () => {
  const r = await makeProject({ 'rivers.config.ts': project }).run(['logs', '--help'])
  expect(r.code).toBe(0)
  expect(r.stdout).toMatchSnapshot()
})

describe('logs --follow on a run started in parallel', () => {
  test('prints what is there, then each new line, and exits 0 when the run finishes', T, async () => {
    const p = makeProject({ 'rivers.config.ts': project })
    const run = p.run(['materialize', '+slow', '--json'], { env: { WAIT: '1' } })
    await whenExists(path.join(p.dir, 'started'))
    let followed = false
    const follow = p.run(
      ['logs', '--follow'],
      onFirstOutput(() => {
        followed = true
        writeFileSync(path.join(p.dir, 'go'), '')
      }),
    )
    const [m, f] = await Promise.all([run, follow])
    expect(m.code, m.stderr).toBe(0)
    expect(followed).toBe(true)
    expect(f.code, f.stderr).toBe(0)
    const lines = mask(f.stdout).split('\n')
    expect(lines).toContain('HH:MM:SS INFO  [asset slow] waiting for go')
    expect(lines).toContain('HH:MM:SS WARN  [asset slow] going')
    expect(lines.at(-2)).toBe('HH:MM:SS INFO  run RUN success status=success durationMs=N')
  })

  test('Ctrl-C stops following quietly: exit 130', T, async () => {
    const p = makeProject({ 'rivers.config.ts': project })
    const run = p.run(['materialize', '+slow'], { env: { WAIT: '1' } })
    await whenExists(path.join(p.dir, 'started'))
    const f = await p.run(
      ['logs', '--follow', '--asset', 'slow'],
      onFirstOutput((child) => child.kill('SIGINT')),
    )
    writeFileSync(path.join(p.dir, 'go'), '')
    expect(f.code).toBe(130)
    expect(mask(f.stdout)).toBe('HH:MM:SS INFO  [asset slow] waiting for go\n')
    expect(mask(f.stderr)).toBe('run RUN (the latest)\n')
    expect((await run).code).toBe(0)
  })

  test("exits 0 when the run's process is gone (kill -9), without waiting for it to finish", T, async () => {
    const p = makeProject({ 'rivers.config.ts': project })
    let materializer: import('node:child_process').ChildProcess | undefined
    const run = p.run(['materialize', '+slow'], { env: { WAIT: '1' }, onSpawn: (child) => void (materializer = child) })
    await whenExists(path.join(p.dir, 'started'))
    const f = await p.run(
      ['logs', '--follow'],
      onFirstOutput(() => materializer?.kill('SIGKILL')),
    )
    expect(f.code, f.stderr).toBe(0)
    expect(mask(f.stdout).split('\n').at(-2)).toBe('HH:MM:SS INFO  [asset slow] waiting for go')
    expect((await run).code).not.toBe(0)
  })
})
