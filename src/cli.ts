#!/usr/bin/env node
// The command-line entry: the only module that touches argv, env, signals, stdio and the exit code.
import { createReadStream, readFileSync, openSync, closeSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseEnvFile } from './config/env-file.js';
import { loadSettings, type SettingSources } from './config/load.js';
import { SETTINGS, type Settings } from './config/settings.js';
import { runMap, type MapInput } from './commands/map.js';
import { mappingOptions } from './commands/mapping-options.js';

const EXIT_USAGE = 2;

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

async function mapCommand(args: Record<string, unknown>): Promise<number> {
  const settings = settingsFrom(args);
  const opts = mappingOptions(settings);
  if (!opts.ok) throw new UsageError(opts.error);
  const paths = ((args.inputs as string[] | undefined) ?? []).map(String);
  const names = paths.length > 0 ? paths : ['-'];
  const inputs: MapInput[] = [];
  for (const name of names) {
    if (name === '-') { inputs.push({ name: 'stdin', stream: process.stdin }); continue; }
    try {
      closeSync(openSync(name, 'r'));
    } catch (err) {
      throw new UsageError(`cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    inputs.push({ name, stream: createReadStream(name, { highWaterMark: 1 << 20 }) });
  }
  const c = await runMap(inputs, process.stdout, opts.options, settings.maxLineBytes, Date.now);
  process.stderr.write(
    `aflo-tail map: read=${c.read} mapped=${c.mapped} not_usage=${c.not_usage} invalid=${c.invalid} too_long=${c.too_long}` +
      ` events=${c.events} inconsistent_usage=${c.inconsistent_usage} time_missing=${c.time_missing}\n`,
  );
  return 0;
}

async function main(): Promise<number> {
  let result: Promise<number> = Promise.resolve(0);
  const parser = addSettingFlags(yargs(hideBin(process.argv)))
    .scriptName('aflo-tail')
    .usage('$0 [PATH|GLOB|-]...  follow LiteLLM logs and ship Amberflo usage events')
    .command('map [inputs..]', 'print the events each entry maps to (NDJSON); touches no state', (y) =>
      y.positional('inputs', { type: 'string', array: true, describe: 'files, or - for stdin' }),
      (args) => { result = mapCommand(args); })
    .strictCommands()
    .help()
    .version(false)
    .fail((msg, err) => { throw err ?? new UsageError(msg); });
  await parser.parseAsync();
  return result;
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
