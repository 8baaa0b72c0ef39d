import { describe, expect, it } from 'vitest'
import { sharedDirSyncs } from './dir-sync.js'

/** A fake fsync of folders: each call waits until the test ends it; `log` lists starts and ends. */
function fakeSyncs() {
  const log: string[] = []
  const open: (() => void)[] = []
  const syncOnce = (dir: string): Promise<void> => {
    const n = log.filter((l) => l.startsWith('start')).length + 1
    log.push(`start ${n} ${dir}`)
    return new Promise((resolve) =>
      open.push(() => {
        log.push(`end ${n} ${dir}`)
        resolve()
      }),
    )
  }
  const endNext = async (): Promise<void> => {
    open.shift()!()
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { log, syncOnce, endNext, running: () => open.length }
}

describe('sharedDirSyncs', () => {
  it('starts one fsync at once; requests made meanwhile share the next one, which starts after it', async () => {
    const f = fakeSyncs()
    const sync = sharedDirSyncs(f.syncOnce)
    const done: string[] = []
    const first = sync('/a').then(() => done.push('first'))
    const second = sync('/a').then(() => done.push('second'))
    const third = sync('/a').then(() => done.push('third'))
    expect(f.log).toEqual(['start 1 /a'])
    await f.endNext()
    // The first request is answered; the others joined the fsync that starts only now.
    expect(done).toEqual(['first'])
    expect(f.log).toEqual(['start 1 /a', 'end 1 /a', 'start 2 /a'])
    await f.endNext()
    await Promise.all([first, second, third])
    expect(done).toEqual(['first', 'second', 'third'])
    expect(f.running()).toBe(0)
  })

  it('never answers a request with an fsync that had started before it', async () => {
    const f = fakeSyncs()
    const sync = sharedDirSyncs(f.syncOnce)
    let answered = false
    void sync('/a')
    // The entry this request is about was made after fsync 1 began: only fsync 2 covers it.
    void sync('/a').then(() => (answered = true))
    await f.endNext()
    expect(answered).toBe(false)
    await f.endNext()
    expect(answered).toBe(true)
  })

  it('syncs different folders independently, and a folder again once its fsyncs are over', async () => {
    const f = fakeSyncs()
    const sync = sharedDirSyncs(f.syncOnce)
    const a = sync('/a')
    const b = sync('/b')
    expect(f.log).toEqual(['start 1 /a', 'start 2 /b'])
    await f.endNext()
    await f.endNext()
    await Promise.all([a, b])
    const again = sync('/a')
    expect(f.log.at(-1)).toBe('start 3 /a')
    await f.endNext()
    await again
    expect(f.running()).toBe(0)
  })
})
