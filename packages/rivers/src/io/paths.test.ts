import { describe, expect, it } from 'vitest'
import { keySegments, resolveInside, storagePathFor } from './paths.js'

describe('keySegments', () => {
  it('accepts keys made of safe segments', () => {
    expect(keySegments('raw')).toEqual(['raw'])
    expect(keySegments('raw/orders.v2/2026-01_x')).toEqual(['raw', 'orders.v2', '2026-01_x'])
    expect(keySegments('..a/b..')).toEqual(['..a', 'b..'])
  })

  it.each([
    ['../x'],
    ['a/../../b'],
    ['/etc/passwd'],
    ['a//b'],
    ['a/'],
    [''],
    ['.'],
    ['a/./b'],
    ['a\0b'],
    ['a\\..\\b'],
    ['C:\\Windows'],
    ['a b'],
  ])('refuses %j', (key) => {
    expect(() => keySegments(key)).toThrow(expect.objectContaining({ code: 'RIVERS_IO_UNSAFE_KEY', exitCode: 2 }))
  })

  it('says what is wrong and what a key may hold', () => {
    expect(() => keySegments('a/../../b')).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset key "a/../../b" cannot name a storage file: segment '..' is not allowed. Keys are segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'.]`,
    )
    expect(() => keySegments('/etc/passwd')).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset key "/etc/passwd" cannot name a storage file: it is an absolute path. Keys are segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'.]`,
    )
    expect(() => keySegments('a//b')).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset key "a//b" cannot name a storage file: segment 2 is empty. Keys are segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'.]`,
    )
    expect(() => keySegments('a\0b')).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset key "a\\u0000b" cannot name a storage file: it contains a NUL character. Keys are segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'.]`,
    )
  })
})

describe('storagePathFor / resolveInside', () => {
  it('maps keys to relative paths and resolves them inside the folder', () => {
    expect(storagePathFor('raw/orders', '.json')).toBe('raw/orders.json')
    expect(resolveInside('/base/dir', 'raw/orders.json', 'raw/orders')).toBe('/base/dir/raw/orders.json')
  })

  it('refuses stored paths that would leave the folder, naming the asset', () => {
    expect(() => resolveInside('/base', '../../etc/passwd', 'raw')).toThrowErrorMatchingInlineSnapshot(
      `[RiversError: Asset key "raw" cannot name a storage file: its stored path "../../etc/passwd" is not a safe relative path. Keys are segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'.]`,
    )
    expect(() => resolveInside('/base', '/etc/passwd', 'raw')).toThrow(/its stored path "\/etc\/passwd"/)
  })
})
