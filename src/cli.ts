#!/usr/bin/env node
// The command-line entry: the only module that touches argv, env, signals, stdio and the exit code.
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { hideBin } from 'yargs/helpers';
import { setFlagsFromString } from 'node:v8';
import { commandLine, mistypedCommand, SETTINGS_FILE_ENV, SETTINGS_FILE_FLAG, UsageError, type Args, type CommandName } from './commands/arguments.js';
import { parseSettingsFile } from './config/settings-file.js';
import { loadSettings, validateForShipping, type SettingSources } from './config/load.js';
import type { Settings } from './config/settings.js';
import type { MapInput } from './commands/map.js';
import { mappingOptions } from './commands/mapping-options.js';
import { scrub, secretValues } from './config/redact.js';
import { StartError } from './config/start-error.js';
import { stateDbPresent } from './state/state-dir.js';

/**
 * The main thread allocates little but keeps pieces and batches alive across scavenges, so V8 grows its young
 * generation step by step to 32 MB over a long run; kept at its initial size, peak RSS is 15–50 MB lower and the
 * time the same (measured with bench/). What it promotes dies soon after, but V8 lets the old generation grow to
 * about three times what survived the last full collection before the next: at half that, 1M lines peak ~10 MB
 * lower, same time. Starting a worker thread resets V8's flags: this runs again after.
 */
const keepHeapSmall = () => setFlagsFromString('--semi-space-growth-factor=1 --heap-growing-percent=50');
keepHeapSmall();

// The AWS SDK warns at every start on Node 20 in 9 plain lines; other process warnings go to the log (JSON) or stderr.
if (!process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.removeAllListeners('warning');
let onWarning = (w: Error) => { process.stderr.write(`aflo-tail: warning: ${w.message}\n`); };
process.on('warning', (w) => onWarning(w));

const EXIT_USAGE = 2;

/** The version in package.json (one directory above dist/). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function settingsFrom(args: Args): Settings {
  const src: SettingSources = { flags: args, env: process.env };
  const fromFlag = args[SETTINGS_FILE_FLAG];
  const file = typeof fromFlag === 'string' && fromFlag !== '' ? fromFlag : process.env[SETTINGS_FILE_ENV];
  if (file) {
    try {
      src.settingsFile = parseSettingsFile(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new UsageError(`${SETTINGS_FILE_ENV} (--${SETTINGS_FILE_FLAG}): cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const r = loadSettings(src);
  if (!r.ok) throw new UsageError(r.errors.join('\n'));
  return r.settings;
}

/** Positional inputs; yargs drops a lone `-`, which means stdin. */
function positionalInputs(args: Args): string[] {
  const inputs = ((args.inputs as string[] | undefined) ?? []).map(String);
  const extra = ((args._ as unknown[] | undefined) ?? []).map(String).filter((a) => a === '-');
  if (!inputs.includes('-') && (extra.length > 0 || process.argv.slice(2).includes('-'))) inputs.push('-');
  return inputs;
}

async function mapCommand(args: Args): Promise<number> {
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
      if (statSync(name).isDirectory()) throw new UsageError(`map reads files: ${name} is a directory (give the files in it, e.g. ${name}/*.log)`);
      closeSync(openSync(name, 'r'));
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError(`cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
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

async function shipCommand(args: Args): Promise<number> {
  const typo = mistypedCommand(positionalInputs(args));
  if (typo) throw new UsageError(typo);
  const loaded = settingsFrom(args);
  const checked = validateForShipping(loaded, (p) => readFileSync(p, 'utf8'));
  if (!checked.ok) throw new UsageError(checked.errors.join('\n'));
  const settings = checked.settings;
  const [{ createLogger }, { runShipper }] = await Promise.all([import('./log.js'), import('./commands/run.js')]);
  const log = createLogger({ json: settings.jsonLogs, debug: settings.debug, secrets: secretValues(settings) });
  onWarning = (w) => log.warn({ warning: w.name }, w.message);
  const inputs = positionalInputs(args);
  const outcome = await runShipper({
    settings, log, stdin: process.stdin, stdout: process.stdout, stop: stopSignal(), now: Date.now, pid: process.pid,
    progress: process.stderr.isTTY ? process.stderr : undefined, threadsStarted: keepHeapSmall,
    threadsStarting: (mb) => setFlagsFromString(`--min-semi-space-size=${mb}`),
  }, inputs, Boolean(args.once));
  if (outcome.code === 2) throw new UsageError(outcome.message ?? 'bad usage');
  // With JSON logs the last log line says it, with the totals; a person reading plain logs or a terminal gets a line.
  if (outcome.message && (!settings.jsonLogs || process.stderr.isTTY)) process.stderr.write(`aflo-tail: ${outcome.message}\n`);
  return outcome.code;
}

type Control = typeof import('./commands/control.js');

async function controlCommand(args: Args, run: (c: Control, o: import('./control/client.js').ControlOptions, s: Settings) => Promise<unknown>): Promise<number> {
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

/** No state there: said (exit 1), rather than zeros that read as "nothing happened". */
function noState(settings: Settings): boolean {
  const present = stateDbPresent(settings.stateDir);
  if (present instanceof StartError) throw present;
  if (!present) process.stderr.write(`aflo-tail: no state in ${settings.stateDir}: aflo-tail has not run with this AFLO_STATE_DIR (--state-dir)\n`);
  return !present;
}

async function statusCommand(args: Args): Promise<number> {
  const { formatStatus, readStatus } = await import('./commands/status.js');
  const settings = settingsFrom(args);
  if (noState(settings)) return 1;
  const st = readStatus(settings, Date.now);
  process.stdout.write(args.json ? JSON.stringify(st, null, 2) + '\n' : formatStatus(st));
  return 0;
}

async function dlqCommand(args: Args): Promise<number> {
  const { listDeadLetters, replayDeadLetters, describeReplay } = await import('./commands/dlq.js');
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
}

/** `report` and `audit`: a table on a terminal, JSON for a pipe, unless --format says. */
function ledgerFormat(args: Args): 'table' | 'csv' | 'json' {
  return (args.format as 'table' | 'csv' | 'json' | undefined) ?? (process.stdout.isTTY ? 'table' : 'json');
}

async function reportCommand(args: Args): Promise<number> {
  const settings = settingsFrom(args);
  const [{ report, ReportArgError }, { formatRows }] = await Promise.all([import('./commands/report.js'), import('./util/tabular.js')]);
  if (noState(settings)) return 1;
  try {
    const r = report(settings, args, Date.now);
    process.stdout.write(formatRows(r.columns, r.rows, ledgerFormat(args)));
    for (const note of r.notes) process.stderr.write(`aflo-tail: ${note}\n`);
    if (r.rows.length === 0) process.stderr.write('aflo-tail: the ledger holds nothing in that range\n');
    return 0;
  } catch (err) {
    throw err instanceof ReportArgError ? new UsageError(err.message) : err;
  }
}

async function auditCommand(args: Args): Promise<number> {
  const loaded = settingsFrom(args);
  const logs = ([] as unknown[]).concat(args.logs ?? []).map(String);
  const checked = validateForShipping({ ...loaded, backend: 'stdout' }, (p) => readFileSync(p, 'utf8'), { needApiKey: logs.length === 0 });
  if (!checked.ok) throw new UsageError(checked.errors.join('\n'));
  const settings = checked.settings;
  const [audit, { ReportArgError }, { formatRows }, { ControlError }, control] = await Promise.all([import('./commands/audit.js'),
    import('./commands/report.js'), import('./util/tabular.js'), import('./control/client.js'), import('./commands/control.js')]);
  if (noState(settings)) return 1;
  let out;
  try {
    if (logs.length > 0) {
      const mapping = mappingOptions(settings);
      if (!mapping.ok) throw new UsageError(mapping.error);
      out = await audit.auditLogs(settings, args, logs, mapping.options, Date.now);
    } else out = await audit.auditAmberflo(settings, args, { now: Date.now, control: control.controlOptions(settings) });
  } catch (err) {
    if (err instanceof ReportArgError || err instanceof control.ArgError) throw new UsageError(err.message);
    if (err instanceof ControlError) {
      process.stderr.write(`aflo-tail: audit: ${scrub(err.message, secretValues(settings))}\n`);
      return 1;
    }
    throw err;
  }
  process.stdout.write(formatRows(out.columns, out.rows, ledgerFormat(args)));
  for (const note of out.notes) process.stderr.write(`aflo-tail: ${note}\n`);
  const settling = out.settling > 0 ? `; ${out.settling} still settling` : '';
  process.stderr.write(out.differing > 0 ? `aflo-tail: ${out.differing} of ${out.rows.length} buckets differ${settling}\n`
    : `aflo-tail: all ${out.rows.length} buckets agree${settling}\n`);
  return out.differing > 0 ? 1 : 0;
}

const COMMANDS: Record<CommandName, (args: Args) => Promise<number>> = {
  report: reportCommand,
  audit: auditCommand,
  ship: shipCommand,
  map: mapCommand,
  status: statusCommand,
  dlq: dlqCommand,
  meters: (args) => {
    // yargs reads `--json -` as an empty string: a lone `-` means stdin.
    if (args.json === '' && process.argv.slice(2).includes('-')) args.json = '-';
    return controlCommand(args, (c, o, s) =>
      c.metersCommand(o, String(args.action), args, (p) => c.readInputFile(p, () => readFileSync(0, 'utf8')), s.mapping));
  },
  usage: (args) => controlCommand(args, (c, o) => c.usageCommand(o, args, Math.floor(Date.now() / 1000))),
  cancel: (args) => controlCommand(args, (c, o) => c.cancelCommand(o, args)),
};

async function main(): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  let chosen: CommandName | undefined;
  const argv = hideBin(process.argv);
  await commandLine(argv, packageVersion(), (command, args) => { chosen = command; result = COMMANDS[command](args); }).parseAsync();
  // Waits inside commands use unref'd timers: keep the process alive until the command is done.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  const code = await result.finally(() => clearInterval(keepAlive));
  // The daemon's sources may leave handles (stdin) open: exit explicitly once stdout has drained.
  if (chosen === 'ship') process.stdout.write('', () => process.exit(code));
  return code;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof UsageError) {
      if (err.usage) process.stderr.write(`${err.usage}\n\n`);
      process.stderr.write(`aflo-tail: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else if (err instanceof StartError) {
      process.stderr.write(`aflo-tail: ${err.message}\n`);
      process.exitCode = err.code;
    } else {
      // A bug, not a usage problem: the message, and the stack only for those who ask (AFLO_DEBUG).
      const debug = /^(1|true|yes|on)$/i.test(process.env.AFLO_DEBUG ?? '') || process.argv.includes('--debug');
      process.stderr.write(`aflo-tail: internal error: ${debug ? (err as Error)?.stack ?? String(err) : `${(err as Error)?.message ?? String(err)} (AFLO_DEBUG=true shows where; please report it)`}\n`);
      process.exitCode = 70;
    }
  },
);
