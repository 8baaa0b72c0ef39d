/**
 * IO managers: how asset results are stored and read back.
 *
 * @example
 * import { FileIOManager } from '@rivers-orchestrator/rivers/plugin'
 * const io = new FileIOManager('.rivers/storage')
 */
export { FileIOManager, type FileIOManagerOptions } from './file-io-manager.js'
export type { IOManager, StoredFile, StoredOutput, WriteContext } from './types.js'
export { listStoredFiles } from './listing.js'
export {
  nodeWriterFs,
  writeAtomic,
  type AtomicModes,
  type WriterFs,
  type WriterHandle,
  type TempFile,
} from './atomic.js'
export { keySegments, storagePathFor, resolveInside } from './paths.js'
export { storedFileOf } from './segments.js'
export { encodeJsonResult } from './serialize.js'
export { sweepTempFiles, pidAlive, parseTempName, TEMP_PREFIX, type SweepOptions } from './sweep.js'
