/**
 * The job protocol: environment variables and a context file in, a JSONL messages file out.
 *
 * @example
 * import { JOB_ENV, parseMessage } from '@rivers-orchestrator/rivers'
 * const inputs = JSON.parse(process.env[JOB_ENV.inputs] ?? '{}') as Record<string, string>
 */
export {
  JOB_ENV,
  JOB_CONTEXT_VERSION,
  parseMessage,
  type JobContextFile,
  type JobLogLevel,
  type JobMessage,
} from './protocol.js'
export { CLIENTS_DIR, jobPaths, prepareJobFiles, readJobOutput, type JobFiles, type JobFilesSpec } from './files.js'
export { JobReport } from './report.js'
export { LineFollower } from './tail.js'
