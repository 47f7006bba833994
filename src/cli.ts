#!/usr/bin/env node
// The command-line entry: the only module that touches argv, env, signals, stdio and the exit code.
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { join } from 'node:path';
import { parseEnvFile } from './config/env-file.js';
import { loadSettings, type SettingSources } from './config/load.js';
import { SETTINGS, type Settings } from './config/settings.js';
import type { MapInput } from './commands/map.js';
import { mappingOptions } from './commands/mapping-options.js';
import { validateForShipping } from './config/load.js';
import { scrub, secretValues } from './config/redact.js';
import { closest } from './config/suggest.js';
import { setFlagsFromString } from 'node:v8';

/**
 * The main thread allocates little but keeps pieces and batches alive across scavenges, so V8 grows its young
 * generation step by step to 32 MB over a long run; kept at its initial size, peak RSS is 15–50 MB lower and the
 * time the same (measured with bench/). What it promotes dies soon after, but V8 lets the old generation grow to
 * about three times what survived the last full collection before the next: at half that, 1M lines peak ~10 MB
 * lower, same time. Starting a worker thread resets V8's flags: this runs again after.
 */
const keepHeapSmall = () => setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=50');
keepHeapSmall();

const EXIT_USAGE = 2;

/** The version in package.json (one directory above dist/). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

class UsageError extends Error {}

function addSettingFlags(y: Argv): Argv {
  let out = y;
  for (const def of SETTINGS) {
    if (!def.flag) continue;
    out = out.option(def.flag, {
      type: def.flag === 'debug' ? 'boolean' : 'string',
      describe: `${def.help} [${def.env}]`,
      group: 'Settings:',
    });
  }
  return out.option('env-file', { type: 'string', describe: 'read settings from a KEY=VALUE file', group: 'Settings:' });
}

function settingsFrom(args: Record<string, unknown>): Settings {
  const src: SettingSources = { flags: args, env: process.env };
  const envFile = args['env-file'];
  if (typeof envFile === 'string' && envFile !== '') {
    try {
      src.envFile = parseEnvFile(readFileSync(envFile, 'utf8'));
    } catch (err) {
      throw new UsageError(`--env-file: cannot read ${envFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const r = loadSettings(src);
  if (!r.ok) throw new UsageError(r.errors.join('\n'));
  return r.settings;
}

/** Positional inputs; yargs drops a lone `-`, which means stdin. */
function positionalInputs(args: Record<string, unknown>): string[] {
  const inputs = ((args.inputs as string[] | undefined) ?? []).map(String);
  const extra = ((args._ as unknown[] | undefined) ?? []).map(String).filter((a) => a === '-');
  if (!inputs.includes('-') && (extra.length > 0 || process.argv.slice(2).includes('-'))) inputs.push('-');
  return inputs;
}

async function mapCommand(args: Record<string, unknown>): Promise<number> {
  const settings = settingsFrom(args);
  const opts = mappingOptions(settings);
  if (!opts.ok) throw new UsageError(opts.error);
  const paths = positionalInputs(args);
  const names = paths.length > 0 ? paths : ['-'];
  // Commands load what they use: `map` starts without SQLite, the logger or the cloud SDKs.
  const { runMap, fileChunks } = await import('./commands/map.js');
  const inputs: MapInput[] = [];
  for (const name of names) {
    if (name === '-') { inputs.push({ name: 'stdin', stream: process.stdin }); continue; }
    try {
      closeSync(openSync(name, 'r'));
    } catch (err) {
      throw new UsageError(`cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    inputs.push({ name, stream: fileChunks(name) });
  }
  const c = await runMap(inputs, process.stdout, opts.options, settings.maxLineBytes, Date.now);
  process.stderr.write(
    `aflo-tail map: read=${c.read} mapped=${c.mapped} not_usage=${c.not_usage} invalid=${c.invalid} too_long=${c.too_long}` +
      ` events=${c.events} inconsistent_usage=${c.inconsistent_usage} time_missing=${c.time_missing}\n`,
  );
  return 0;
}

/**
 * SIGTERM / SIGINT / SIGHUP stop reading and start the bounded drain; a second one exits at once (the state is safe
 * on disk). SIGHUP (a closed terminal, a logrotate postrotate) is a stop like SIGTERM, never an exit without drain.
 */
function stopSignal(): AbortSignal {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : sig === 'SIGHUP' ? 129 : 143);
    ctl.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);
  return ctl.signal;
}

const COMMANDS = ['map', 'status', 'dlq', 'meters', 'usage', 'cancel'];

/** yargs' "Unknown argument: x" with the closest known flag, and where the usage is. */
function withSuggestion(msg: string): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!unknown) return msg;
  const flags = [...SETTINGS.flatMap((d) => (d.flag ? [d.flag] : [])), 'once', 'json', 'dry-run', 'format', 'label', 'meter-api-name',
    'meter-type', 'start', 'end', 'interval', 'group-by', 'rule-id', 'customer', 'dimension', 'help', 'version'];
  const hints = unknown[1].split(', ').map((a) => closest(a, flags)).filter((f): f is string => f !== undefined);
  return `${msg}${hints.length > 0 ? ` (did you mean ${hints.map((h) => `--${h}`).join(', ')}?)` : ''}; aflo-tail --help lists them`;
}

/** A first input that is no file, looks like no path, and is one typo away from a command: a mistyped command. */
function mistypedCommand(inputs: string[]): string | undefined {
  const first = inputs[0];
  if (first === undefined || /[/.*?[]/.test(first) || existsSync(first)) return undefined;
  const command = closest(first, COMMANDS);
  return command && `unknown command ${first} (did you mean ${command}?); aflo-tail --help lists the commands`;
}

async function shipCommand(args: Record<string, unknown>): Promise<number> {
  const typo = mistypedCommand(positionalInputs(args));
  if (typo) throw new UsageError(typo);
  const loaded = settingsFrom(args);
  const checked = validateForShipping(loaded, (p) => readFileSync(p, 'utf8'));
  if (!checked.ok) throw new UsageError(checked.errors.join('\n'));
  const settings = checked.settings;
  const [{ createLogger }, { runShipper }] = await Promise.all([import('./log.js'), import('./commands/run.js')]);
  const log = createLogger({ json: settings.jsonLogs, debug: settings.debug, secrets: secretValues(settings) });
  const inputs = positionalInputs(args);
  const outcome = await runShipper({
    settings, log, stdin: process.stdin, stdout: process.stdout, stop: stopSignal(), now: Date.now, pid: process.pid,
    progress: process.stderr.isTTY ? process.stderr : undefined, threadsStarted: keepHeapSmall,
    threadsStarting: (mb) => setFlagsFromString(`--min-semi-space-size=${mb}`),
  }, inputs, Boolean(args.once));
  if (outcome.code === 2) throw new UsageError(outcome.message ?? 'bad usage');
  if (outcome.message) process.stderr.write(`aflo-tail: ${outcome.message}\n`);
  return outcome.code;
}

async function controlCommand(args: Record<string, unknown>,
  run: (c: typeof import('./commands/control.js'), o: import('./control/client.js').ControlOptions, s: Settings) => Promise<unknown>): Promise<number> {
  const loaded = settingsFrom(args);
  const checked = validateForShipping({ ...loaded, backend: 'stdout' }, (p) => readFileSync(p, 'utf8'), { needApiKey: true });
  if (!checked.ok) throw new UsageError(checked.errors.join('\n'));
  const control = await import('./commands/control.js');
  const { ControlError } = await import('./control/client.js');
  try {
    const value = await run(control, control.controlOptions(checked.settings), checked.settings);
    process.stdout.write(control.formatOutput(value, String(args.format ?? 'json')));
    return 0;
  } catch (err) {
    if (err instanceof control.ArgError) throw new UsageError(err.message);
    if (err instanceof ControlError) {
      // An answer's text may echo the key back (proxies, gateways): never printed as it came.
      process.stderr.write(`aflo-tail: ${scrub(err.message, secretValues(checked.settings))}\n`);
      return 1;
    }
    throw err;
  }
}

async function main(): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  let exitWhenDone = false;
  const parser = addSettingFlags(yargs(hideBin(process.argv)))
    .scriptName('aflo-tail')
    .usage('$0 [PATH|GLOB|-]...  follow LiteLLM logs and ship Amberflo usage events')
    .command('$0 [inputs..]', 'follow the inputs and ship (daemon); with --once, catch up and exit', (y) =>
      y.positional('inputs', { type: 'string', array: true, describe: 'paths, globs, or - for stdin' })
        .option('once', { type: 'boolean', describe: 'read every input to its end, ship everything, exit' }),
      (args) => { exitWhenDone = true; result = shipCommand(args); })
    .command('map [inputs..]', 'print the events each entry maps to (NDJSON); touches no state', (y) =>
      y.positional('inputs', { type: 'string', array: true, describe: 'files, or - for stdin' }),
      (args) => { result = mapCommand(args); })
    .command('status', 'counters, buffer depth, files and offsets, dead letters, last send', (y) =>
      y.option('json', { type: 'boolean', describe: 'machine-readable output' }),
      (args) => {
        result = import('./commands/status.js').then(({ formatStatus, readStatus }) => {
          const settings = settingsFrom(args);
          // No state there: say so, rather than print zeros that read as "nothing happened".
          if (!existsSync(join(settings.stateDir, 'state.db'))) {
            process.stderr.write(`aflo-tail: no state in ${settings.stateDir}: aflo-tail has not run with this AFLO_STATE_DIR (--state-dir)\n`);
            return 1;
          }
          const st = readStatus(settings, Date.now);
          process.stdout.write(args.json ? JSON.stringify(st, null, 2) + '\n' : formatStatus(st));
          return 0;
        });
      })
    .command('dlq <action>', 'show (list) or re-send (replay) dead-lettered events', (y) =>
      y.positional('action', { choices: ['list', 'replay'] as const, demandOption: true }),
      (args) => {
        result = import('./commands/dlq.js').then(async ({ listDeadLetters, replayDeadLetters, describeReplay }) => {
          const settings = settingsFrom(args);
          if (args.action === 'list') {
            const listed = listDeadLetters(settings, Date.now);
            // The list itself is for scripts (NDJSON on stdout); an empty one is said on stderr.
            if (listed === '') process.stderr.write(`aflo-tail: no dead-lettered events in ${settings.stateDir}\n`);
            process.stdout.write(listed);
            return 0;
          }
          const r = describeReplay(await replayDeadLetters(settings, { now: Date.now, pid: process.pid }));
          process.stdout.write(r.text);
          return r.code;
        });
      })
    .command('meters <action> [id]', 'Amberflo meters: list, get ID, create, update ID, delete ID, provision', (y) =>
      y.positional('action', { choices: ['list', 'get', 'create', 'update', 'delete', 'provision'] as const, demandOption: true })
        .positional('id', { type: 'string' })
        .option('label', { type: 'string' }).option('meter-api-name', { type: 'string' }).option('meter-type', { type: 'string' })
        .option('json', { type: 'string', describe: 'the full meter body from a file, or - for stdin' })
        .option('dry-run', { type: 'boolean', describe: 'provision: only say what would be created' })
        .option('format', { choices: ['json', 'table'] as const, default: 'json' }),
      (args) => {
        // yargs reads `--json -` as an empty string: a lone `-` means stdin.
        if (args.json === '' && process.argv.slice(2).includes('-')) args.json = '-';
        result = controlCommand(args, (c, o, s) =>
          c.metersCommand(o, String(args.action), args, (p) => c.readInputFile(p, () => readFileSync(0, 'utf8')), s.mapping));
      })
    .command('usage', 'fetch usage of a meter (default: the last 24 hours)', (y) =>
      y.option('meter-api-name', { type: 'string', demandOption: true }).option('start', { type: 'string' }).option('end', { type: 'string' })
        .option('interval', { choices: ['hour', 'day', 'week', 'month'] as const }).option('group-by', { type: 'string', array: true })
        .option('format', { choices: ['json', 'table'] as const, default: 'json' }),
      (args) => { result = controlCommand(args, (c, o) => c.usageCommand(o, args, Math.floor(Date.now() / 1000))); })
    .command('cancel', 'cancel ingested usage with a filtering rule', (y) =>
      y.option('rule-id', { type: 'string', demandOption: true }).option('meter-api-name', { type: 'string', demandOption: true })
        .option('start', { type: 'string', demandOption: true }).option('end', { type: 'string', demandOption: true })
        .option('customer', { type: 'string' }).option('dimension', { type: 'string', array: true, describe: 'k=v, repeatable' })
        .option('format', { choices: ['json', 'table'] as const, default: 'json' }),
      (args) => { result = controlCommand(args, (c, o) => c.cancelCommand(o, args)); })
    .strictCommands()
    .strictOptions()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .fail((msg, err) => { throw err ?? new UsageError(withSuggestion(msg)); });
  await parser.parseAsync();
  // Waits inside commands use unref'd timers: keep the process alive until the command is done.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const code = await result.finally(() => clearInterval(keepAlive));
  // The daemon's sources may leave handles (stdin) open: exit explicitly once stdout has drained.
  if (exitWhenDone) process.stdout.write('', () => process.exit(code));
  return code;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`aflo-tail: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`aflo-tail: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 70;
    }
  },
);
