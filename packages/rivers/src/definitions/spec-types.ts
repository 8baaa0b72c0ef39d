/** Small shapes shared by asset and source specs. */
import type { z } from 'zod'
import type { Duration } from './duration.js'

/**
 * Any zod 4 schema (config, output and input schemas).
 *
 * @example
 * const s: ZodSchema = z.object({ epochs: z.number() })
 */
export type ZodSchema = z.ZodType

/**
 * The part of an IO manager that definitions need to know: how a value is written and read back.
 * The real interface lives with the IO managers; any of them fits this shape.
 *
 * @example
 * const memory = new Map<string, unknown>()
 * const io: IOManagerLike = {
 *   async write(key: string, value: unknown) { memory.set(key, value) },
 *   async read(key: string) { return memory.get(key) },
 * }
 */
export interface IOManagerLike {
  write(...args: any[]): Promise<unknown>
  read(...args: any[]): Promise<unknown>
}

/**
 * Compute an asset asks a launcher for. A launcher honours every field or refuses the asset before
 * the run starts (it never ignores one): `local` reserves GPUs, CPUs and memory on this machine and
 * enforces `timeLimit`; `slurm` turns them into `sbatch` options.
 *
 * A function asset (no `command`) with `gpus` holds that many GPU slots of the local pool while it
 * runs and finds them in `ctx.gpus`; it shares the orchestrator's process, so the reservation is
 * advisory (nothing stops it from touching other GPUs). Commands get real isolation through
 * `CUDA_VISIBLE_DEVICES`.
 *
 * @example
 * const train: Resources = { gpus: 2, gpuType: 'h100', cpus: 16, memory: '64Gi', timeLimit: '4h' }
 * const multiNode: Resources = { nodes: 4, gpusPerNode: 8, cpus: 32, memory: '512Gi', timeLimit: '1d' }
 */
export interface Resources {
  /** Whole GPUs on one node (non-negative integer). For multi-node jobs use `gpusPerNode`. */
  gpus?: number
  /** GPU model constraint, e.g. `'a100'` (local: matched against `nvidia-smi` names; Slurm: the GRES type). */
  gpuType?: string
  /** CPU cores (positive), per task. */
  cpus?: number
  /** Memory per node: bytes as a number, or a Kubernetes quantity such as `'16Gi'`, `'512Mi'`, `'2G'`. */
  memory?: number | string
  /** Wall-clock limit of the job (milliseconds or a duration string); the job is stopped at the limit. */
  timeLimit?: Duration
  /** Nodes of a multi-node job (positive integer; Slurm runs the command on each with `srun`). */
  nodes?: number
  /** GPUs on each node of a multi-node job (non-negative integer). */
  gpusPerNode?: number
}

/**
 * One GPU a launcher handed to an asset (`ctx.gpus`, and the job's metadata).
 *
 * @example
 * const gpu: GpuDevice = { index: '0', name: 'NVIDIA H100 80GB HBM3', memoryMiB: 81559 }
 */
export interface GpuDevice {
  /** What `CUDA_VISIBLE_DEVICES` lists for it (an `nvidia-smi` index, in PCI bus order). */
  index: string
  name?: string
  memoryMiB?: number
}

/**
 * SSH access to a Slurm login node. Commands (`sbatch`, `squeue`, `scontrol`, `sacct`, `scancel`,
 * `sinfo`) run there; job folders must be on a file system both machines see (see `jobsDir`).
 *
 * @example
 * const ssh: SshConfig = { host: 'login.cluster.example.org', user: 'ana', options: ['-o', 'ConnectTimeout=10'] }
 */
export interface SshConfig {
  host: string
  user?: string
  port?: number
  /** Private key file (`ssh -i`). */
  identityFile?: string
  /** Extra `ssh` arguments, e.g. `['-o', 'ProxyJump=bastion']`. `BatchMode=yes` is always set. */
  options?: string[]
}

/**
 * Settings of the local launcher.
 *
 * @example
 * const local: LocalLauncherConfig = { type: 'local', gpus: '0,1' }
 */
export interface LocalLauncherConfig {
  type: 'local'
  /** GPU inventory override, like `RIVERS_GPUS`: `'0,1'` (these indices), `'2'` (two GPUs, 0 and 1), `'3,'` (index 3 only) or `'none'`. */
  gpus?: string
  /** Folder of the GPU lock files shared by every Rivers process of the machine (default `RIVERS_GPU_LOCK_DIR`, else `/tmp/rivers-gpu-locks`). */
  lockDir?: string
  /** Time between SIGTERM and SIGKILL when a job is cancelled (default 5s). */
  killGrace?: Duration
  /** How often job state and output files are read (default 100ms). */
  pollInterval?: Duration
  /** Function assets: in the orchestrator's process (default), or each as a job running `assets worker run`. */
  functions?: 'in-process' | 'worker'
}

/**
 * Settings of the Slurm launcher.
 *
 * @example
 * const cluster: SlurmLauncherConfig = { type: 'slurm', partition: 'gpu', account: 'ml', ssh: { host: 'login1' }, setup: ['module load cuda/12.4'] }
 */
export interface SlurmLauncherConfig {
  type: 'slurm'
  partition?: string
  account?: string
  qos?: string
  /** Submit over SSH to a login node instead of running the Slurm commands here. */
  ssh?: SshConfig
  /** Extra `#SBATCH` options, e.g. `['--constraint=ib']` (they must not repeat one Rivers sets). */
  sbatchArgs?: string[]
  /** Shell lines run in the batch script before the command, e.g. `module load cuda`. */
  setup?: string[]
  /** Where job folders go (scripts, output, messages); must be visible from the compute nodes. Default `<store>/jobs`. */
  jobsDir?: string
  /** How often the job's state and output are read (default 1s). */
  pollInterval?: Duration
  /** Times Rivers requeues a preempted job (same folder and checkpoint folder) before it counts as preempted (default 3). */
  maxRequeues?: number
}

/**
 * A launcher's full settings.
 *
 * @example
 * const config: LauncherConfig = { type: 'slurm', partition: 'gpu' }
 */
export type LauncherConfig = LocalLauncherConfig | SlurmLauncherConfig | PluginLauncherConfig

/**
 * Settings of a launcher a plugin registers (`registerLauncher('ray', …)`): its `type` and fields of
 * its own, which the plugin checks.
 *
 * @example
 * const ray: PluginLauncherConfig = { type: 'ray', address: 'http://127.0.0.1:8265' }
 */
export interface PluginLauncherConfig {
  type: string
  [field: string]: unknown
}

/**
 * Which launcher runs an asset: `'local'`, `'slurm'` (with the project's settings for that launcher,
 * if it has them), or full settings.
 *
 * @example
 * const launcher: LauncherSetting = process.env.RIVERS_LAUNCHER === 'slurm' ? 'slurm' : 'local'
 */
export type LauncherSetting = 'local' | 'slurm' | LauncherConfig

/**
 * What a source's `observe` function returns.
 *
 * @example
 * const seen: Observation = { dataVersion: 'etag-9f2c', metadata: { bytes: 1024 } }
 */
export interface Observation {
  /** The source's current data version; omit to let the executor content-hash `path`. */
  dataVersion?: string
  /** Recorded with the observation. */
  metadata?: Record<string, unknown>
}
