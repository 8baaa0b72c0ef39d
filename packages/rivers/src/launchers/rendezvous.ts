/**
 * The rendezvous of a distributed job: the variables torchrun, `torch.distributed` (`env://`) and
 * DeepSpeed read to find each other. Every task of a multi-node Slurm job gets `MASTER_ADDR` (the
 * first node of the allocation), `MASTER_PORT` (derived from the job id), `WORLD_SIZE`, `RANK`,
 * `LOCAL_RANK`, `NODE_RANK` (and `NNODES`); a local job with several GPUs gets a free
 * `MASTER_ADDR`/`MASTER_PORT` on loopback. An asset's own `env` wins for `MASTER_ADDR` and `MASTER_PORT`.
 */
import { createServer } from 'node:net'

/** Lowest port `MASTER_PORT` is derived into (below Linux's ephemeral range, 32768+). */
export const RENDEZVOUS_PORT_BASE = 15_000
/** How many ports the derivation spreads jobs over: `15000..29999`. */
export const RENDEZVOUS_PORT_SPAN = 15_000

/**
 * The `MASTER_PORT` of a Slurm job: `15000 + jobId % 15000`, the same on every node without talking
 * to each other, and different for jobs submitted one after the other (the batch script computes the
 * same in shell).
 *
 * @example
 * rendezvousPort(4242) // 19242
 * rendezvousPort(15_000) // 15000
 */
export function rendezvousPort(jobId: number): number {
  return RENDEZVOUS_PORT_BASE + (Math.abs(Math.trunc(jobId)) % RENDEZVOUS_PORT_SPAN)
}

/**
 * The batch-script lines that set a multi-node job's rendezvous, run once on the first node before
 * `srun`: `MASTER_ADDR` is the first host of `scontrol show hostnames $SLURM_JOB_NODELIST`, as the
 * address Slurm itself reaches it by (its `NodeAddr`, else its name); `MASTER_PORT` is
 * `rendezvousPort(SLURM_JOB_ID)`. A variable the job's `env` already sets is left alone.
 *
 * @example
 * slurmRendezvousLines({ MASTER_PORT: '29400' }) // sets MASTER_ADDR, WORLD_SIZE, NNODES; keeps MASTER_PORT
 */
export function slurmRendezvousLines(env: Readonly<Record<string, string>>): string[] {
  const lines = ['# Rendezvous for torchrun / torch.distributed / DeepSpeed (every task meets here).']
  if (env.MASTER_ADDR === undefined)
    lines.push(
      'rivers_first=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
      `rivers_addr=$(scontrol show node "$rivers_first" -o 2>/dev/null | sed -n 's/.* NodeAddr=\\([^ ]*\\).*/\\1/p')`,
      'export MASTER_ADDR="${rivers_addr:-$rivers_first}"',
    )
  if (env.MASTER_PORT === undefined)
    lines.push(`export MASTER_PORT=$((${RENDEZVOUS_PORT_BASE} + SLURM_JOB_ID % ${RENDEZVOUS_PORT_SPAN}))`)
  lines.push('export WORLD_SIZE="$SLURM_NTASKS" NNODES="$SLURM_JOB_NUM_NODES"')
  return lines
}

/**
 * The argv `srun` runs on every node: a shell that exports the task's ranks from Slurm's
 * (`RANK`=`SLURM_PROCID`, `LOCAL_RANK`=`SLURM_LOCALID`, `NODE_RANK`=`SLURM_NODEID`,
 * `WORLD_SIZE`=`SLURM_NTASKS`), then execs the command.
 *
 * @example
 * slurmTaskArgv(['python3', 'train.py']) // ['/bin/sh', '-c', 'export RANK="$SLURM_PROCID" …; exec "$@"', 'rivers-task', 'python3', 'train.py']
 */
export function slurmTaskArgv(command: readonly string[]): string[] {
  const body =
    'export RANK="$SLURM_PROCID" LOCAL_RANK="$SLURM_LOCALID" NODE_RANK="$SLURM_NODEID" WORLD_SIZE="$SLURM_NTASKS"; exec "$@"'
  return ['/bin/sh', '-c', body, 'rivers-task', ...command]
}

/**
 * The rendezvous of a local job with several GPUs (one machine, so torchrun `--standalone` needs
 * none, but a script that calls `init_process_group('env://')` itself does): `MASTER_ADDR=127.0.0.1`
 * and a `MASTER_PORT` free right now, so two such jobs on one machine never collide on torch's
 * default 29500. Empty for a job with at most one GPU; the job's own `env` wins.
 *
 * @example
 * const extra = await localRendezvous(2, job.env) // { MASTER_ADDR: '127.0.0.1', MASTER_PORT: '41733' }
 */
export async function localRendezvous(
  gpus: number,
  env: Readonly<Record<string, string>>,
): Promise<Record<string, string>> {
  if (gpus < 2) return {}
  const out: Record<string, string> = {}
  if (env.MASTER_ADDR === undefined) out.MASTER_ADDR = '127.0.0.1'
  if (env.MASTER_PORT === undefined) out.MASTER_PORT = String(await freePort())
  return out
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
