/**
 * Typed-array storage of the reference planner: fixed tables of 16-byte hashes, and the arena that
 * holds every record's consumed deps.
 */

/**
 * `count` 16-byte hashes stored as bytes with a `Uint32Array` view of the same buffer: equal bytes
 * are equal words, so comparing two hashes is four integer compares (whatever the endianness).
 *
 * @example
 * const h = new Hashes(2); h.set(1, bytes16, 0); eq(h.words, 1, h.words, 0)
 */
export class Hashes {
  bytes: Uint8Array
  words: Uint32Array

  constructor(count: number) {
    this.bytes = new Uint8Array(16 * count)
    this.words = new Uint32Array(this.bytes.buffer)
  }

  /** Copies hash `j` of `src` (16 bytes per hash, any alignment) into slot `i`. */
  set(i: number, src: Uint8Array, j: number): void {
    const b = this.bytes
    for (let k = 0, x = 16 * i, y = 16 * j; k < 16; k++) b[x + k] = src[y + k] ?? 0
  }

  /** Grows to `count` slots, keeping the contents. */
  grow(count: number): void {
    const bytes = new Uint8Array(16 * count)
    bytes.set(this.bytes.subarray(0, Math.min(this.bytes.length, bytes.length)))
    this.bytes = bytes
    this.words = new Uint32Array(bytes.buffer)
  }
}

/** Whether hash `i` of `a` equals hash `j` of `b` (word views of `Hashes`). */
export function eq(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  const x = 4 * i
  const y = 4 * j
  return a[x] === b[y] && a[x + 1] === b[y + 1] && a[x + 2] === b[y + 2] && a[x + 3] === b[y + 3]
}

/**
 * Recorded deps of every asset in one arena: asset `v` owns entries `start[v] .. start[v] + len[v]`
 * of `refs` (dep refs) and `vers` (consumed versions), with room for `cap[v]`. A record that fits
 * its slot is rewritten in place; a longer one moves to the end, and the arena is compacted when
 * more than half of it is abandoned slots.
 *
 * @example
 * const a = new DepArena(n); const at = a.slot(v, 3); a.refs[at] = u; a.len[v] = 1
 */
export class DepArena {
  refs = new Uint32Array(16)
  readonly vers = new Hashes(16)
  readonly start: Uint32Array
  readonly len: Uint32Array
  readonly cap: Uint32Array
  private used = 0
  private garbage = 0

  constructor(n: number) {
    this.start = new Uint32Array(n)
    this.len = new Uint32Array(n)
    this.cap = new Uint32Array(n)
  }

  /** Forgets every record's deps and reserves room for `entries`. */
  clear(entries: number): void {
    this.len.fill(0)
    this.cap.fill(0)
    this.used = this.garbage = 0
    this.reserve(entries)
  }

  /** Start of a slot of at least `count` entries for `v` (its old slot if large enough). */
  slot(v: number, count: number): number {
    if (count <= (this.cap[v] ?? 0)) return this.start[v] ?? 0
    this.reserve(count)
    this.garbage += this.cap[v] ?? 0
    this.start[v] = this.used
    this.cap[v] = count
    this.used += count
    return this.start[v] ?? 0
  }

  /** Compacts when more than half the arena is abandoned (and it is not tiny). */
  maybeCompact(): void {
    if (this.garbage > 1024 && this.garbage * 2 > this.used) this.compact()
  }

  private reserve(extra: number): void {
    let cap = this.refs.length
    if (this.used + extra <= cap) return
    while (cap < this.used + extra) cap *= 2
    const refs = new Uint32Array(cap)
    refs.set(this.refs.subarray(0, this.used))
    this.refs = refs
    this.vers.grow(cap)
  }

  private compact(): void {
    const refs = new Uint32Array(Math.max(16, this.used - this.garbage))
    const vers = new Uint8Array(16 * refs.length)
    let at = 0
    for (let v = 0; v < this.start.length; v++) {
      const s = this.start[v] ?? 0
      const len = this.len[v] ?? 0
      refs.set(this.refs.subarray(s, s + len), at)
      vers.set(this.vers.bytes.subarray(16 * s, 16 * (s + len)), 16 * at)
      this.start[v] = at
      this.cap[v] = len
      at += len
    }
    this.refs = refs
    this.vers.bytes = vers
    this.vers.words = new Uint32Array(vers.buffer)
    this.used = at
    this.garbage = 0
  }
}
