/**
 * Errors raised by IO managers. One constructor per kind; each message names the asset key (and the
 * path inside the value, or the file) and says how to fix it.
 *
 * Codes: `RIVERS_IO_UNSAFE_KEY` (exit 2: a key or stored path that would escape the storage folder),
 * `RIVERS_IO_UNSERIALIZABLE`, `RIVERS_IO_STREAM_FAILED`, `RIVERS_IO_WRITE_FAILED`,
 * `RIVERS_IO_READ_FAILED` (exit 1: the asset fails, the run goes on with its siblings).
 */
import { RiversError } from '../errors.js'

const unserializable = (key: string, message: string): RiversError =>
  new RiversError('RIVERS_IO_UNSERIALIZABLE', `Asset '${key}' ${message}`, { exitCode: 1 })

/**
 * An asset key (or a stored path) cannot name a file inside the storage folder.
 *
 * @example
 * throw unsafeKey('../etc', "segment '..' is not allowed")
 */
export function unsafeKey(key: string, reason: string): RiversError {
  return new RiversError(
    'RIVERS_IO_UNSAFE_KEY',
    `Asset key ${JSON.stringify(key)} cannot name a storage file: ${reason}. ` +
      "Keys are segments of A-Z a-z 0-9 _ - . separated by '/', none empty, '.' or '..'.",
  )
}

/**
 * The asset function returned `undefined`.
 *
 * @example
 * throw undefinedResult('raw')
 */
export function undefinedResult(key: string): RiversError {
  return unserializable(key, 'returned undefined; return a value, or null.')
}

/**
 * `undefined` inside an array (JSON would silently store null).
 *
 * @example
 * throw undefinedInArray('raw', '$.rows[3]')
 */
export function undefinedInArray(key: string, path: string): RiversError {
  return unserializable(
    key,
    `returned undefined at ${path}; JSON would silently store it as null. Use null explicitly.`,
  )
}

/**
 * A BigInt somewhere in the value.
 *
 * @example
 * throw bigintValue('raw', '$.count')
 */
export function bigintValue(key: string, path: string): RiversError {
  return unserializable(
    key,
    `returned a BigInt at ${path}, which JSON cannot store. Convert it with String(value), or Number(value) if it fits.`,
  )
}

/**
 * A function somewhere in the value.
 *
 * @example
 * throw functionValue('raw', '$.transform')
 */
export function functionValue(key: string, path: string): RiversError {
  return unserializable(
    key,
    `returned a function at ${path}, which cannot be stored. Return data, not functions (did you forget to call it?).`,
  )
}

/**
 * A symbol somewhere in the value.
 *
 * @example
 * throw symbolValue('raw', '$.tag')
 */
export function symbolValue(key: string, path: string): RiversError {
  return unserializable(key, `returned a symbol at ${path}, which cannot be stored. Use a string instead.`)
}

/**
 * A cycle: `path` refers back to its ancestor `ancestor`.
 *
 * @example
 * throw cyclicValue('raw', '$.a.parent', '$')
 */
export function cyclicValue(key: string, path: string, ancestor: string): RiversError {
  return unserializable(
    key,
    `returned a cyclic value: ${path} refers back to ${ancestor}. JSON cannot store cycles; return a tree (refer to shared parts by id).`,
  )
}

/**
 * NaN or ±Infinity somewhere in the value.
 *
 * @example
 * throw nonFiniteNumber('model', '$.loss', Number.NaN)
 */
export function nonFiniteNumber(key: string, path: string, value: number): RiversError {
  return unserializable(
    key,
    `returned ${value} at ${path}; JSON would silently store it as null. Replace it with null or a finite number.`,
  )
}

/**
 * An object JSON would mangle silently (a Map becomes `{}`, a typed array an object of indices...).
 *
 * @example
 * throw unsupportedObject('raw', '$.index', 'Map', 'convert it with Object.fromEntries(map)')
 */
export function unsupportedObject(key: string, path: string, kind: string, fix: string): RiversError {
  return unserializable(
    key,
    `returned a ${kind} at ${path}, which JSON would not store faithfully. To store it, ${fix}.`,
  )
}

/**
 * A `Date` somewhere in the value: JSON would store a string, so consumers would get a string.
 *
 * @example
 * throw dateValue('raw', '$.d')
 */
export function dateValue(key: string, path: string): RiversError {
  return unserializable(
    key,
    `returned a Date at ${path}: JSON would store it as a string, so its consumers (in this run and later ones) ` +
      'would get a string, not a Date. Return date.toISOString() or date.getTime() instead and parse it in the consumer.',
  )
}

/**
 * A class instance (an object whose prototype is not `Object.prototype` or `null`).
 *
 * @example
 * throw classInstance('geo', '$.p', 'Point')
 */
export function classInstance(key: string, path: string, kind: string): RiversError {
  return unserializable(
    key,
    `returned a ${kind} (a class instance) at ${path}: its prototype and methods would not survive storage ` +
      '(consumers would get a plain object). Return plain data, e.g. { ...value } with the fields consumers need.',
  )
}

/**
 * A boxed primitive (`new Number(1)`, `new String('a')`, `new Boolean(true)`, `Object(1n)`...).
 *
 * @example
 * throw boxedPrimitive('raw', '$.n', 'Number')
 */
export function boxedPrimitive(key: string, path: string, kind: string): RiversError {
  return unserializable(
    key,
    `returned a boxed ${kind} (an object wrapping a primitive) at ${path}: consumers would get the bare primitive. ` +
      'Return the primitive itself (value.valueOf()).',
  )
}

/**
 * An object with its own `toJSON` method: JSON would store what `toJSON` returns instead.
 *
 * @example
 * throw customToJson('raw', '$.money', 'Money')
 */
export function customToJson(key: string, path: string, kind: string): RiversError {
  return unserializable(
    key,
    `returned a ${kind} with a toJSON method at ${path}: JSON would store what toJSON returns, not the object, ` +
      'so consumers would get something else. If that is what they should get, return value.toJSON() yourself.',
  )
}

/**
 * A hole in a sparse array (`[1, , 3]`, `new Array(3)`): JSON would store `null`.
 *
 * @example
 * throw arrayHole('raw', '$.rows[1]')
 */
export function arrayHole(key: string, path: string): RiversError {
  return unserializable(
    key,
    `returned a sparse array with a hole at ${path}: JSON would store it as null. ` +
      'Fill the holes (e.g. Array.from(array, (x) => x ?? null)).',
  )
}

/**
 * The JSON text would exceed what a JavaScript string can hold.
 *
 * @example
 * throw jsonTooLarge('events', err)
 */
export function jsonTooLarge(key: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_IO_UNSERIALIZABLE',
    `Asset '${key}' returned a value too large to serialize as JSON. Return a stream (an async iterable of Buffers) or bytes instead.`,
    { cause, exitCode: 1 },
  )
}

/**
 * A streamed result yielded something other than bytes or strings.
 *
 * @example
 * throw badStreamChunk('raw', 'number')
 */
export function badStreamChunk(key: string, got: string): RiversError {
  return new RiversError(
    'RIVERS_IO_UNSERIALIZABLE',
    `Asset '${key}' streamed a chunk of type ${got}; a streamed result must yield Buffers, Uint8Arrays or strings. Convert each chunk before yielding it (String(x), Buffer.from(…), or JSON.stringify(x) + '\\n' for records).`,
    { exitCode: 1 },
  )
}

/**
 * The stream an asset returned failed while it was being written (the error is the asset's own).
 *
 * @example
 * throw streamFailed('raw', err)
 */
export function streamFailed(key: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_IO_STREAM_FAILED',
    `The stream returned by asset '${key}' failed while it was being stored: ${message(cause)}. Nothing was stored; the asset stays due, so the next \`assets materialize\` runs it again (add a retry policy if the source is flaky).`,
    { cause, exitCode: 1 },
  )
}

/**
 * Writing the stored output failed (disk full, permissions...). Nothing was left at `path`.
 *
 * @example
 * throw writeFailed('raw', '/p/.rivers/storage/raw.json', err)
 */
export function writeFailed(key: string, path: string, cause: unknown): RiversError {
  const code = (cause as { code?: unknown } | null)?.code
  const hint =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full; free space (or move the store with --store) and run again'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'the storage folder is not writable; fix its permissions or move the store with --store'
        : 'check the storage folder and run again'
  return new RiversError(
    'RIVERS_IO_WRITE_FAILED',
    `Could not store the output of asset '${key}' at ${path} (${message(cause)}): ${hint}. The previous output, if any, is unchanged.`,
    { cause, exitCode: 1 },
  )
}

/**
 * Reading a stored output failed.
 *
 * @example
 * throw readFailed('raw', '/p/.rivers/storage/raw.json', err)
 */
export function readFailed(key: string, path: string, cause: unknown): RiversError {
  const code = (cause as { code?: unknown } | null)?.code
  const hint =
    code === 'ENOENT'
      ? `the file is gone; rebuild it with \`assets materialize ${key} --force\``
      : `the file may be damaged; rebuild it with \`assets materialize ${key} --force\``
  return new RiversError(
    'RIVERS_IO_READ_FAILED',
    `Could not read the stored output of asset '${key}' at ${path} (${message(cause)}): ${hint}.`,
    {
      cause,
      exitCode: 1,
    },
  )
}

/**
 * A read was asked for an asset whose record has no storage path.
 *
 * @example
 * throw noStoredOutput('raw')
 */
export function noStoredOutput(key: string): RiversError {
  return new RiversError(
    'RIVERS_IO_READ_FAILED',
    `Asset '${key}' has no stored output to read (its record has no storage path). Materialize it with \`assets materialize ${key}\`.`,
    { exitCode: 1 },
  )
}

function message(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message
  }
  return String(cause)
}

/**
 * An artifact file could not be deleted (permissions, a read-only file system).
 *
 * @example
 * throw deleteFailed('model', '/p/.rivers/storage/model/@r1.bin', err)
 */
export function deleteFailed(key: string, path: string, cause: unknown): RiversError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new RiversError(
    'RIVERS_IO_DELETE_FAILED',
    `Cannot delete the stored output of asset '${key}' at ${path} (${reason}). ` +
      'Make the file and its folder writable by this user, then run `assets gc --yes` again.',
    { cause },
  )
}

/**
 * A batch of partition values that cannot be stored together: partitions and values do not pair up.
 *
 * @example
 * throw badPartitionBatch('events', 'it got 3 values for 2 partitions')
 */
export function badPartitionBatch(key: string, reason: string): RiversError {
  return new RiversError(
    'RIVERS_IO_BAD_BATCH',
    `Cannot store the batch of partitions of asset '${key}': ${reason}. A batched partition function returns one value per partition it was given, in the same order, and a batch names each partition once.`,
    { exitCode: 1 },
  )
}

/**
 * A batched partition function returned a stream for one partition (a segment holds values only).
 *
 * @example
 * throw streamInBatch('events', '2024-01-05')
 */
export function streamInBatch(key: string, partition: string): RiversError {
  return new RiversError(
    'RIVERS_IO_UNSERIALIZABLE',
    `Asset '${key}' returned a stream for partition ${JSON.stringify(partition)} from a batched partition function; the partitions of a batch are stored together in one file, which holds values, not streams. Return values (JSON data or a Uint8Array) from a batched function, or make the asset unbatched so that each partition streams to its own file.`,
    { exitCode: 1 },
  )
}

/**
 * A stored path that looks like a slice of a segment file (`…seg#<offset>+<length>.json`) but is not
 * a valid one: malformed, or a slice that does not lie inside its segment.
 *
 * @example
 * throw badSlicePath('events', 'events/@r1.a~b.0f.seg#9+9.json', 'it ends past the end of the 12-byte segment')
 */
export function badSlicePath(key: string, storagePath: string, reason: string, partition?: string): RiversError {
  const which = partition === undefined ? '' : ` --partition ${JSON.stringify(partition)}`
  return new RiversError(
    'RIVERS_IO_READ_FAILED',
    `Cannot read the stored output of asset '${key}': its stored path ${JSON.stringify(storagePath)} is not a valid slice of a segment file (${reason}). The record is damaged or the segment was replaced; rebuild it with \`assets materialize ${key}${which} --force\`.`,
    { exitCode: 1 },
  )
}
