/**
 * The command surface of `assets` (commander): global options, one subcommand per verb, help texts.
 * Actions live in `commands/*.ts`; this file only wires arguments and options to them.
 */
import { createRequire } from 'node:module'
import { Command, InvalidArgumentError, Option } from 'commander'
import type { Ctx, GlobalOptions } from './context.js'
import { type CatchUp, durationOption, parseCatchUp } from './daemon/options.js'
import type { Io } from './io.js'

/** Levels accepted by `--log-level` (pino's). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

const SELECTION_HELP = `
Selection (default *; several expressions are a union; quote them for the shell):
  raw/orders  raw/*         a key, or a key pattern with * wildcards
  +model  2+model           model and its ancestors (all, or up to depth 2)
  raw+  raw+1               raw and its descendants (all, or depth 1)
  tag:pii  tag:tier=gold    by tag; also group:NAME  kind:NAME  owner:NAME
  status:stale              by status: missing, stale or fresh
  'raw+ and not tag:slow'   combine with and, or, not and parentheses

Exit codes: 0 success; 1 a run finished with failed assets; 2 bad usage, definitions,
selection or config; 130 cancelled.`

/** What the program's actions report back to `main`. */
export interface ProgramState {
  exitCode: number
  /** The context of the command that ran (set before its action starts). */
  ctx: Ctx | undefined
}

type Action = (ctx: Ctx, ...args: any[]) => Promise<number>

/**
 * Build the program. Commands are imported lazily so that `--help` starts fast.
 *
 * @example
 * const state: ProgramState = { exitCode: 0, ctx: undefined }
 * await buildProgram(io, state).parseAsync(argv)
 */
export function buildProgram(io: Io, state: ProgramState): Command {
  // Commander calls an action with (...arguments, options, command); ours get (ctx, ...arguments, options).
  const run =
    (load: () => Promise<Action>) =>
    async (...args: unknown[]) => {
      const cmd = args.at(-1) as Command
      // Loaded here, not imported: --version and --help never need the context (project file, store).
      const { makeCtx } = await import('./context.js')
      const ctx = makeCtx(io, cmd.optsWithGlobals<GlobalOptions>())
      state.ctx = ctx
      const action = await load()
      state.exitCode = await action(ctx, ...args.slice(0, -1))
    }

  const program = new Command('assets')
    .usage('<command> [SELECTION...] [options]')
    .description('Materialize and inspect the assets of a Rivers project: tables, features, models.')
    .version(version(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [command]', 'show help of a command')
    .option('--project <file>', 'project file (default: rivers.config.{ts,mts,js,mjs} here or in a parent folder)')
    .option(
      '--store <dir|url>',
      'store folder, or postgres://… for a team store (default: $RIVERS_STORE_URL, else $RIVERS_HOME, else .rivers/ beside the project)',
    )
    .option('--json', 'print one JSON document on stdout (logs go to stderr)')
    .addOption(new Option('--log-level <level>', 'log level').choices(LOG_LEVELS))
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError('(run assets --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText('after', SELECTION_HELP)
    .exitOverride()
    .configureOutput(output(io))

  const command = (name: string, summary: string) =>
    program
      .command(name)
      .summary(summary)
      .description(summary)
      .helpOption('-h, --help', 'show help')
      .exitOverride()
      .configureOutput(output(io))

  command('init', 'write a starter project: a source, two assets, a check, a config, a test')
    .argument('[dir]', 'folder to create or fill (default: the current folder); must be empty unless --force')
    .option('--force', 'write into a folder that holds files (files of the same name are replaced)')
    .addHelpText(
      'after',
      `
Then: cd DIR && npm install && npx assets materialize && npm test
The project depends on @rivers-orchestrator/rivers, @rivers-orchestrator/cli and zod 4; init itself
only writes files (no network).`,
    )
    .action(
      run(async () => {
        const { init } = await import('./commands/init.js')
        return (ctx: Ctx, dir: string | undefined, flags: { force?: boolean }) => init(ctx, dir, flags)
      }),
    )

  command('materialize', 'run the missing and stale assets of the selection, and what follows them')
    .argument('[selection...]', 'assets to bring up to date (default: *)')
    .option('--force', 'run every selected asset, stale or not')
    .option('--dry-run', 'print the plan instead of running it')
    .option(
      '--partition <key-or-range>',
      'only these partitions of the selected partitioned assets: KEY or FROM...TO (inclusive); repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option(
      '--concurrency <n>',
      'assets whose code runs at once; an asset without checks frees its place once its output is written (default: the project setting, else 4)',
      positiveInt('--concurrency'),
    )
    .option('--config <json-or-file>', 'run config as a JSON object {"asset": {...}}, or the path to a .json file')
    .action(
      run(async () => {
        const { materialize } = await import('./commands/materialize.js')
        return (ctx: Ctx, selection: string[], flags: object) => materialize(ctx, selection, flags)
      }),
    )

  command('status', 'show status, causes and root causes of each selected asset')
    .argument('[selection...]', 'assets to report (default: *)')
    .option('--config <json-or-file>', 'report under this run config: is each asset fresh for it?')
    .option(
      '--partition <key-or-range>',
      'one entry per partition of the selected partitioned assets: KEY or FROM...TO (inclusive); repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action(
      run(async () => {
        const { status } = await import('./commands/status.js')
        return (ctx: Ctx, selection: string[], flags: { config?: string; partition?: string[] }) =>
          status(ctx, selection, flags)
      }),
    )

  command('plan', 'print the plan (same as materialize --dry-run)')
    .argument('[selection...]', 'assets to plan (default: *)')
    .option('--force', 'plan every selected asset, stale or not')
    .option('--config <json-or-file>', 'plan under this run config (as materialize --config would run)')
    .option(
      '--partition <key-or-range>',
      'only these partitions of the selected partitioned assets: KEY or FROM...TO (inclusive); repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .action(
      run(async () => {
        const { materialize } = await import('./commands/materialize.js')
        return (ctx: Ctx, selection: string[], flags: { force?: boolean; config?: string; partition?: string[] }) =>
          materialize(ctx, selection, {
            force: flags.force === true,
            dryRun: true,
            ...(flags.config === undefined ? {} : { config: flags.config }),
            ...(flags.partition === undefined ? {} : { partition: flags.partition }),
          })
      }),
    )

  command('backfill', 'bring a range of partitions of the selection up to date, in batches, resumably')
    .argument('[selection...]', 'assets to backfill (default: *); their partitioned assets take the range')
    .option('--from <key>', 'first partition of the range (inclusive)')
    .option('--to <key>', 'last partition of the range (inclusive)')
    .option(
      '--batch <n>',
      'partitions per run, per asset (default: the whole range in one run)',
      positiveInt('--batch'),
    )
    .option('--resume <id>', 'continue a backfill (its own selection, range and batch)')
    .option(
      '--concurrency <n>',
      'assets and partitions running at once (default: the project setting, else 4)',
      positiveInt('--concurrency'),
    )
    .option('--config <json-or-file>', 'run config as a JSON object {"asset": {...}}, or the path to a .json file')
    .action(
      run(async () => {
        const { backfill } = await import('./commands/backfill.js')
        return (ctx: Ctx, selection: string[], flags: object) => backfill(ctx, selection, flags)
      }),
    )

  command('backfills', 'list backfills with their status and progress, newest first')
    .option('--limit <n>', 'backfills to show', positiveInt('--limit'), 20)
    .action(
      run(async () => {
        const { backfills } = await import('./commands/backfill.js')
        return (ctx: Ctx, flags: { limit?: number }) => backfills(ctx, flags)
      }),
    )

  command('partitions', "list an asset's partitions as ranges with their statuses; add|remove edits a dynamic set")
    .usage('KEY [--partition KEY|FROM...TO] | add SET KEY... | remove SET KEY... [--wipe]')
    .argument('<key>', 'a partitioned asset, or add / remove')
    .argument('[keys...]', 'with add / remove: the dynamic set, then its keys')
    .option(
      '--partition <key-or-range>',
      'only these partitions: KEY or FROM...TO (inclusive); repeatable',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--wipe', 'with remove: forget the records of the removed partitions too')
    .action(
      run(async () => {
        const { partitions } = await import('./commands/partitions.js')
        return (ctx: Ctx, key: string, rest: string[], flags: { partition?: string[]; wipe?: boolean }) =>
          partitions(ctx, key, rest, flags)
      }),
    )

  command('list', 'list assets: deps, groups, tags, kinds, owners, descriptions')
    .argument('[selection...]', 'assets to list (default: *)')
    .action(run(async () => (await import('./commands/list.js')).list))

  command('graph', 'print the lineage as Mermaid, Graphviz DOT or JSON')
    .argument('[selection...]', 'assets to draw (default: *)')
    .addOption(new Option('--format <format>', 'output format').choices(['mermaid', 'dot', 'json']).default('mermaid'))
    .action(run(async () => (await import('./commands/graph.js')).graph))

  command('runs', 'list past runs, or compare a metric across runs')
    .option('--limit <n>', 'runs to show, newest first', positiveInt('--limit'), 20)
    .option('--asset <key>', 'only runs that materialized this asset (with --metric: compare that metric)')
    .option('--metric <name>', "with --asset: show that asset's metric in each run that recorded it")
    .action(
      run(async () => {
        const { runs } = await import('./commands/runs.js')
        return (ctx: Ctx, flags: { limit: number; asset?: string; metric?: string }) => runs(ctx, flags)
      }),
    )

  command('logs', "print a run's log (default: the latest run); --follow streams a running one")
    .argument('[run]', 'run id (see assets runs; default: the latest run)')
    .option('--asset <key>', "only this asset's lines (its job's stdout/stderr included)")
    .addOption(new Option('--level <level>', 'only lines at this level or above').choices(LOG_LEVELS.slice(0, -1)))
    .option('-f, --follow', 'keep printing new lines until the run finishes or its process is gone (Ctrl-C stops)')
    .addHelpText(
      'after',
      `
Lines are those of the run's log file in the store (<store>/logs/RUN.ndjson), in the format a live
run prints: time, level, [asset KEY], message, fields. The file keeps info and above (debug too when
the run had --log-level debug or trace). With --json: one document {"runId", "records"}; with
--json --follow, one record per line (NDJSON) as they come.`,
    )
    .action(
      run(async () => {
        const { logs } = await import('./commands/logs.js')
        return (ctx: Ctx, runId: string | undefined, flags: object) => logs(ctx, runId, flags)
      }),
    )

  command('show', "show one asset's definition, status and record history")
    .argument('<key>', 'asset key')
    .action(
      run(async () => {
        const { show } = await import('./commands/show.js')
        return (ctx: Ctx, key: string) => show(ctx, key)
      }),
    )

  command('wipe', 'forget the records of the selection and delete their artifacts (asks unless --yes)')
    .argument('[selection...]', 'assets to forget (default: *)')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(run(async () => (await import('./commands/wipe.js')).wipe))

  command('gc', 'free the files the store no longer needs (a dry run unless --yes)')
    .argument('[selection...]', 'assets whose artifacts to collect (default: *, with old run logs and job folders)')
    .option('-y, --yes', 'delete what the dry run lists')
    .addHelpText(
      'after',
      `
What goes: artifacts of records the retention policy no longer keeps (retention: { keep, maxAge }
of the asset, else of the project; without one every record keeps its artifact), artifacts of
records \`wipe\` forgot, files no record names (left by killed runs or failed writes) and, without a
selection, logs and job folders of runs older than the newest 20. Never: a current record's
artifact, a pinned one's (\`assets pin\`), or anything a run still going may use.`,
    )
    .action(run(async () => (await import('./commands/gc.js')).gc))

  command('pin', "keep a record's artifact whatever gc and wipe would do (the current record, or --run's)")
    .argument('<key>', 'asset key')
    .option('--run <run>', 'pin the record of this run (see assets show KEY) instead of the current one')
    .option('--note <text>', 'why it is kept, e.g. "registered as churn v3"')
    .action(
      run(async () => {
        const { pin } = await import('./commands/pin.js')
        return (ctx: Ctx, key: string, flags: { run?: string; note?: string }) => pin(ctx, key, flags)
      }),
    )

  command('unpin', "stop keeping pinned records of an asset (all of them, or --run's)")
    .argument('<key>', 'asset key')
    .option('--run <run>', 'unpin only the record of this run')
    .action(
      run(async () => {
        const { unpin } = await import('./commands/pin.js')
        return (ctx: Ctx, key: string, flags: { run?: string }) => unpin(ctx, key, flags)
      }),
    )

  command('models', "list registered models, or one model's versions, aliases, gate and alias history")
    .argument('[key]', 'a model asset (spec model: …); without it, every model of the project')
    .action(run(async () => (await import('./commands/models.js')).models))

  command('promote', 'move a model alias (e.g. champion) to a version, through the promotion gate')
    .argument('<key>', 'the model asset')
    .argument('[version]', 'the version to promote, e.g. 3 or v3 (default: the newest; see assets models KEY)')
    .requiredOption('--alias <name>', 'the alias to move, e.g. champion or challenger')
    .option('--reason <text>', 'why, kept in the alias history')
    .option('--force', 'promote even if the gate refuses (needs --reason)')
    .addHelpText(
      'after',
      `
The gate is the model's spec (model: { gate: { accuracy: { atLeast: 0.9, notBelowCurrent: true } } }):
every rule must hold on the version's metrics, or nothing moves (exit 1) and each rule's numbers are
printed. Sources made by modelAlias(model, alias) follow the alias: what depends on them re-runs.`,
    )
    .action(
      run(async () => {
        const { promote } = await import('./commands/models.js')
        return (
          ctx: Ctx,
          key: string,
          version: string | undefined,
          flags: { alias: string; reason?: string; force?: boolean },
        ) => promote(ctx, key, version, flags)
      }),
    )

  command('rollback', 'move a model alias back to the version it named before its last promotion')
    .argument('<key>', 'the model asset')
    .requiredOption('--alias <name>', 'the alias to move back, e.g. champion')
    .option('--reason <text>', 'why, kept in the alias history')
    .action(
      run(async () => {
        const { rollback } = await import('./commands/models.js')
        return (ctx: Ctx, key: string, flags: { alias: string; reason?: string }) => rollback(ctx, key, flags)
      }),
    )

  const store = command('store', 'manage the store: migrate copies the embedded SQLite store into PostgreSQL')
  store
    .command('migrate')
    .summary('copy the SQLite store (--store DIR, default .rivers/) into a PostgreSQL store, ids kept')
    .description('copy the SQLite store (--store DIR, default .rivers/) into a PostgreSQL store, ids kept')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput(output(io))
    .requiredOption('--to <url>', 'the PostgreSQL store: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE')
    .addHelpText(
      'after',
      `
Every table is copied with its ids, in one transaction: a failure leaves the target as it was.
Run again, it copies nothing new; a target holding other rows under the same ids is refused.
Outputs and run logs are not moved: the records keep their paths under the local folder, which
the PostgreSQL store uses too (.rivers/ beside the project, or RIVERS_HOME). Then use the team
store with --store postgres://… or RIVERS_STORE_URL.`,
    )
    .action(
      run(async () => {
        const { storeMigrate } = await import('./commands/store.js')
        return (ctx: Ctx, flags: { to: string }) => storeMigrate(ctx, flags)
      }),
    )

  command('tick', 'evaluate the automation conditions, schedules and sensors once, and run what they request')
    .option('--dry-run', 'print the decisions only: nothing is stored and no run is launched')
    .option('--now <time>', 'evaluate as if it were this time (ISO 8601, e.g. 2026-12-05T03:00:00Z)')
    .addHelpText(
      'after',
      `
Prints each asset with an automation condition, whether it is requested, and its condition tree
(one line per node, true or false, with the values that decided it); then schedules, sensors, and
the runs launched (one for the assets the conditions requested, one per schedule or sensor request),
waiting for them. Decisions are stored (see assets automation) unless --dry-run.
Exit 0; 1 when a launched run failed; 130 when cancelled.`,
    )
    .action(
      run(async () => {
        const { tick } = await import('./commands/tick.js')
        return (ctx: Ctx, flags: { dryRun?: boolean; now?: string }) => tick(ctx, flags)
      }),
    )

  command(
    'daemon',
    'keep assets up to date: tick every interval and when a source file or the store changes, launch the runs conditions request',
  )
    .addOption(
      new Option('--interval <duration>', 'time between ticks')
        .argParser(durationOption('--interval', '5s'))
        .default(5_000, '5s'),
    )
    .addOption(
      new Option(
        '--catch-up <policy>',
        'cron ticks missed while no daemon ran: skip, latest (run once) or all:N (each, at most N)',
      )
        .argParser(parseCatchUp)
        .default('latest', 'latest'),
    )
    .option('--wait', 'if another daemon holds the store, wait for it to stop instead of exiting 2')
    .option('--poll', 'poll source files and the store instead of fs events (also RIVERS_WATCH=poll)')
    .addOption(
      new Option('--poll-interval <duration>', 'how often polling looks')
        .argParser(durationOption('--poll-interval', '1s'))
        .default(1_000, '1s'),
    )
    .addHelpText(
      'after',
      `
Besides every interval, the daemon ticks at once when a path source's file changes (fs events on
its folder; the tick observes just the changed sources) and when another process commits to the
store (a run recorded an upstream asset). With --poll, or where fs events are not available, files
and the store are polled every --poll-interval.

One daemon per store: it holds a lease in the store, renewed while it runs (it lasts 3 intervals,
at least 15s). A second daemon exits 2 naming the holder's pid, host and start time, or waits with
--wait; a daemon killed with kill -9 on this machine is taken over at once, one on another machine
when its lease runs out. Runs go on between ticks; an asset being built is not requested again.
SIGTERM or Ctrl-C: no more ticks, running runs are cancelled and recorded, the lease is released,
exit 0 (a second signal exits 130 at once). Output: a line per tick that observed a change,
requested or launched something or failed, and per finished run; idle ticks are summed up at most
once a minute (with --json, one JSON object per tick and per event).`,
    )
    .action(
      run(async () => {
        const { daemon } = await import('./commands/daemon.js')
        return (
          ctx: Ctx,
          flags: { interval: number; catchUp: CatchUp; wait?: boolean; poll?: boolean; pollInterval?: number },
        ) => daemon(ctx, flags)
      }),
    )

  command('automation', 'show recent automation decisions: why an asset did or did not run')
    .argument('[key]', 'only the decisions about this asset')
    .option('--limit <n>', 'decisions to show, newest first', positiveInt('--limit'), 20)
    .action(
      run(async () => {
        const { automation } = await import('./commands/automation.js')
        return (ctx: Ctx, key: string | undefined, flags: { limit: number }) => automation(ctx, key, flags)
      }),
    )

  command('watch', 'materialize the selection again each time a project module or source file changes')
    .argument('[selection...]', 'assets to keep up to date while you edit (default: *)')
    .option(
      '--debounce <duration>',
      'quiet time after a change before a run starts',
      durationOption('--debounce', '300ms'),
      300,
    )
    .option('--poll', 'poll files for changes instead of using fs events (network or container file systems)')
    .addHelpText(
      'after',
      `
Watched: the project file and the local modules it loads (outside node_modules and the store), and
the files of path sources; the list is refreshed after each run. Each run is \`assets materialize
SELECTION\` in a child process, so it sees the code as it is now; changes during a run queue one
more run, never two at once. Ctrl-C cancels the running child cleanly and exits 130 (a second
Ctrl-C exits at once).`,
    )
    .action(
      run(async () => {
        const { watch } = await import('./commands/watch.js')
        return (ctx: Ctx, selection: string[], flags: { debounce: number; poll?: boolean }) =>
          watch(ctx, selection, flags)
      }),
    )

  command('ui', 'serve the web UI: the live asset graph, asset pages with metric charts, runs with live logs')
    .option('--port <n>', 'port to listen on (0: any free port)', portNumber, 3737)
    .option('--host <address>', 'address to listen on (default 127.0.0.1; another one needs --token)')
    .option(
      '--token <token>',
      'token of the actions (materialize, cancel) (default: $RIVERS_UI_TOKEN, else a random one)',
    )
    .option('--open', 'open the UI in the browser')
    .addHelpText(
      'after',
      `
Needs the package @rivers-orchestrator/ui beside the project. The printed URL carries the token;
reads need no token on 127.0.0.1, every request needs it on another address. Ctrl-C stops it (exit 130).`,
    )
    .action(
      run(async () => {
        const { ui } = await import('./commands/ui.js')
        return (ctx: Ctx, flags: { port: number; host?: string; token?: string; open?: boolean }) => ui(ctx, flags)
      }),
    )

  const worker = command(
    'worker',
    'run assets on a cluster node: the job of a function asset (started by the orchestrator)',
  )
  worker
    .command('run')
    .summary("run one function asset as its job's worker: inputs and output through the IO manager")
    .description("run one function asset as its job's worker: inputs and output through the IO manager")
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput(output(io))
    .requiredOption('--run <id>', 'the run the job belongs to')
    .requiredOption('--asset <key>', 'the function asset to run')
    .option('--partition <key>', 'the partition to build, for a partitioned asset')
    .option('--request <file>', "the job's worker-request.json (default: beside $RIVERS_CONTEXT)")
    .option('--result <file>', 'where the result goes (default: worker-result.json beside the request)')
    .addHelpText(
      'after',
      `
A function asset with launcher 'slurm' (or a local launcher with functions: 'worker') runs as a job
whose command is this one. It loads the project (--project), reads the inputs the request names
through the IO manager (the store folder must be mounted on the node at the same path), runs the
function with its context (config, partition, log, metrics, checkpointDir), writes the output
through the IO manager and writes the result (data version, metadata, metrics, storage path) to
--result. It writes no record: the orchestrator records what it hands back. On failure the error is
written to --result too, and the exit code is non-zero.`,
    )
    .action(
      run(async () => {
        const { workerRun } = await import('./commands/worker.js')
        return (ctx: Ctx, flags: import('./commands/worker.js').WorkerRunFlags) => workerRun(ctx, flags)
      }),
    )

  return program
}

/** Commander writes help and errors to our streams, wrapped to their width (80 when not a terminal). */
function output(io: Io) {
  return {
    writeOut: (s: string) => void io.stdout.write(s),
    writeErr: (s: string) => void io.stderr.write(s),
    getOutHelpWidth: () => (io.stdout.isTTY === true ? (io.stdout.columns ?? 80) : 80),
    getErrHelpWidth: () => (io.stderr.isTTY === true ? (io.stderr.columns ?? 80) : 80),
    getOutHasColors: () => false,
    getErrHasColors: () => false,
  }
}

function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`expected a positive integer, e.g. ${flag} 4.`)
    }
    return Number(value)
  }
}

function portNumber(value: string): number {
  const n = Number(value)
  if (!/^\d+$/.test(value.trim()) || n > 65535)
    throw new InvalidArgumentError('expected a port from 0 to 65535, e.g. --port 3737.')
  return n
}

function version(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version
}
