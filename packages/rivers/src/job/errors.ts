/**
 * Errors of the job protocol, one constructor per kind.
 */
import { RiversError } from '../errors.js'

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * The job's output file exists but cannot be read or is not valid JSON.
 *
 * @example
 * throw jobOutputUnreadable('model', '/s/jobs/r1/model/attempt-1/output.json', new SyntaxError('Unexpected token'))
 */
export function jobOutputUnreadable(assetKey: string, file: string, cause: unknown): RiversError {
  return new RiversError(
    'RIVERS_JOB_OUTPUT',
    `The job of asset '${assetKey}' left an output Rivers cannot read at ${file}: ${reasonOf(cause)}.\n` +
      `Fix: write valid JSON to a '.json' output (RIVERS_OUTPUT), or write another file and report it with an 'output' message; any other extension is stored as bytes.`,
    { exitCode: 1, cause },
  )
}

/**
 * The job reported an output file that does not exist.
 *
 * @example
 * throw jobOutputMissing('model', '/work/model.pt')
 */
export function jobOutputMissing(assetKey: string, file: string): RiversError {
  return new RiversError(
    'RIVERS_JOB_OUTPUT',
    `The job of asset '${assetKey}' reported the output ${file}, which does not exist.\n` +
      `Fix: report the path the job actually wrote (relative paths are resolved against the job's working folder).`,
    { exitCode: 1 },
  )
}
