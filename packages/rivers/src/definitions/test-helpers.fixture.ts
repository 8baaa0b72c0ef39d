/** Test helper: the code and message of what `fn` throws, with positions made stable (`:L:C`). */
export function thrown(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    const err = e as { code?: string; name?: string; message: string }
    return `${err.name} ${err.code}\n${err.message.replace(/:\d+:\d+/g, ':L:C')}`
  }
  throw new Error('expected an error, nothing was thrown')
}

/** Test helper: the message of what `fn` throws, as the user reads it. */
export function message(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('expected an error, nothing was thrown')
}
