import { afterAll, expect, test } from 'vitest'
import { makeProject, removeProjects } from '../../test/e2e/project.js'
import { main } from '../main.js'
import { fakeIo } from '../testing.fixture.js'

afterAll(removeProjects)

const project = `import { asset, defineProject } from '@rivers-orchestrator/rivers'
const a = asset({ key: 'a' }, () => 1)
const b = asset({ key: 'b', deps: { a } }, ({ a }) => a + 1)
export default defineProject({ assets: [b] })
`

test('on a terminal, wipe asks first: no keeps the records (exit 130), yes forgets them', {
  timeout: 30_000,
}, async () => {
  const p = makeProject({ 'rivers.config.ts': project })
  expect((await p.run(['materialize', '--json'])).code).toBe(0)

  const no = fakeIo({ cwd: p.dir, tty: true, answers: ['n'] })
  expect(await main(['node', 'assets', 'wipe', 'b'], no)).toBe(130)
  expect(no.stderr.text).toBe(
    'Forget the records of 1 asset (b) and delete their stored values? They will be missing and rebuild on the next run. [y/N] error: Cancelled: nothing was wiped.\n',
  )

  const yes = fakeIo({ cwd: p.dir, tty: true, answers: ['yes'] })
  expect(await main(['node', 'assets', 'wipe'], yes)).toBe(0)
  expect(yes.stdout.text).toBe('Wiped the records of 2 assets: a, b; deleted 2 artifact files (2 B).\n')
})
