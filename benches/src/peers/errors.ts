/**
 * Errors of the peers mode (`npm run bench -- --peers`), one constructor per kind; each says what
 * to do.
 *
 * @example
 * try { ensureVenv(log) } catch (e) { if (e instanceof PeersError) process.exitCode = e.exitCode }
 */
export class PeersError extends Error {
  /** Exit code of the bench command: 2, the environment is not usable. */
  readonly exitCode = 2

  constructor(message: string) {
    super(message)
    this.name = 'PeersError'
  }
}

/** No Python to create the venv with. */
export const noPython = (): PeersError =>
  new PeersError(
    'npm run bench -- --peers needs Python 3.10+ on PATH (python3.11 or python3) to install Dagster: install it and run again',
  )

/** The venv exists but has not the pinned Dagster after `pip install`. */
export const dagsterMissing = (venv: string, wanted: string, found: string): PeersError =>
  new PeersError(
    `Dagster ${wanted} did not install in ${venv} (found ${found ? `'${found}'` : 'none'}): delete that folder and run again`,
  )

/** The Dagster script failed on a graph. */
export const dagsterFailed = (n: number, stderrFile: string, code: number | null): PeersError =>
  new PeersError(
    `the Dagster benchmark on ${n} assets exited ${code ?? 'on a signal'}: read ${stderrFile} for Dagster's error`,
  )
