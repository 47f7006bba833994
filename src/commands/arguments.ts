// The command line's grammar: commands, their own options (described, with examples) first, then the settings flags.
import { existsSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { SETTINGS } from '../config/settings.js';
import { closest } from '../config/suggest.js';

export type CommandName = 'ship' | 'map' | 'status' | 'dlq' | 'meters' | 'usage' | 'cancel' | 'report' | 'audit';
export type Args = Record<string, unknown>;

/** A usage mistake, said with the usage of the command it was made in. */
export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) { super(message); }
}

export const SETTINGS_FILE_FLAG = 'settings-file';
export const SETTINGS_FILE_ENV = 'AFLO_SETTINGS_FILE';
/** Flags of earlier versions (`--env-file` is also Node's own option, which Node 20 takes even after the script). */
const RENAMED: Record<string, string> = { 'env-file': SETTINGS_FILE_FLAG };
const COMMANDS = ['map', 'status', 'dlq', 'meters', 'usage', 'cancel', 'report', 'audit'];
const OWN = 'Options:';
const FORMAT = { choices: ['json', 'table'] as const, default: 'json', describe: 'json for scripts, table for people', group: OWN };
/** The ledger's commands: a table on a terminal, JSON otherwise (the entry decides). */
const LEDGER_FORMAT = { choices: ['table', 'csv', 'json'] as const, describe: 'table (default on a terminal), csv, json (default otherwise)', group: OWN };
const GROUPS = 'meter, type, cache, business_unit_id, model, customer';

/** The time range and buckets `report` and `audit` share. */
function ledgerRange(y: Argv, interval: string): Argv {
  return y.option('start', { type: 'string', describe: 'ISO time or epoch seconds (default: 24 hours before --end)', group: OWN })
    .option('end', { type: 'string', describe: 'ISO time or epoch seconds (default: now)', group: OWN })
    .option('interval', { choices: ['hour', 'day'] as const, describe: `bucket size, UTC (default: ${interval})`, group: OWN })
    .option('group-by', { type: 'string', array: true, describe: `any of ${GROUPS}`, group: OWN })
    .option('format', LEDGER_FORMAT);
}

function settingFlags(y: Argv): Argv {
  let out = y;
  for (const def of SETTINGS) {
    if (!def.flag) continue;
    out = out.option(def.flag, { type: def.flag === 'debug' ? 'boolean' : 'string', describe: `${def.help} [${def.env}]`, group: 'Settings:' });
  }
  return out.option(SETTINGS_FILE_FLAG, {
    type: 'string', group: 'Settings:', describe: `read settings from a KEY=VALUE file (as systemd and Docker write them) [${SETTINGS_FILE_ENV}]`,
  });
}

/** The parser for `argv`; `on` is called with the command and its arguments. */
export function commandLine(argv: string[], version: string, on: (command: CommandName, args: Args) => void): Argv {
  return settingFlags(yargs(argv))
    .scriptName('aflo-tail')
    .usage('$0 [PATH|GLOB|-]...  follow LiteLLM logs and ship Amberflo usage events')
    .command('$0 [inputs..]', 'follow the inputs and ship (daemon); with --once, catch up and exit', (y) =>
      y.positional('inputs', { type: 'string', array: true, describe: 'paths, globs, or - for stdin' })
        .option('once', { type: 'boolean', describe: 'read every input to its end, ship everything, exit', group: OWN })
        .example('$0 --backend api --api-key-file /etc/aflo/key "/var/log/litellm/*.log"', 'follow every log file there')
        .example('$0 --once --backend file --output-dir out app.log', 'catch up on one file, write batches to out/, exit'),
    (args) => on('ship', args))
    .command('map [inputs..]', 'print the events each entry maps to (NDJSON); touches no state', (y) =>
      y.positional('inputs', { type: 'string', array: true, describe: 'files, or - for stdin' })
        .example('$0 map app.log | head', 'see what the first entries bill'),
    (args) => on('map', args))
    .command('status', 'counters, buffer depth, files and offsets, dead letters, last send', (y) =>
      y.option('json', { type: 'boolean', describe: 'the fields scripts read, as JSON', group: OWN })
        .example('$0 status --state-dir /var/lib/aflo-tail --json', 'what a running daemon has done'),
    (args) => on('status', args))
    .command('dlq <action>', 'show (list) or re-send (replay) dead-lettered events', (y) =>
      y.positional('action', { choices: ['list', 'replay'] as const, demandOption: true, describe: 'list: NDJSON with the answer; replay: send again' })
        .example('$0 dlq list --state-dir /var/lib/aflo-tail', 'the refused events and why'),
    (args) => on('dlq', args))
    .command('meters <action> [id]', 'Amberflo meters: list, get ID, create, update ID, delete ID, provision', (y) =>
      y.positional('action', { choices: ['list', 'get', 'create', 'update', 'delete', 'provision'] as const, demandOption: true })
        .positional('id', { type: 'string', describe: 'the meter id (get, update, delete)' })
        .option('label', { type: 'string', describe: 'create: the meter\'s display name', group: OWN })
        .option('meter-api-name', { type: 'string', describe: 'create: the name events carry', group: OWN })
        .option('meter-type', { type: 'string', describe: 'create: sum_of_all_usage, max, unique_count...', group: OWN })
        .option('json', { type: 'string', describe: 'the full meter body from a file, or - for stdin', group: OWN })
        .option('dry-run', { type: 'boolean', describe: 'provision: only say what would be created', group: OWN })
        .option('format', FORMAT)
        .example('$0 meters provision --dry-run', 'the meters aflo-tail bills that your account lacks')
        .example('$0 meters list --format table', 'your meters'),
    (args) => on('meters', args))
    .command('usage', 'fetch usage of a meter (default: the last 24 hours)', (y) =>
      y.option('meter-api-name', { type: 'string', demandOption: true, describe: 'the meter', group: OWN })
        .option('start', { type: 'string', describe: 'ISO time or epoch seconds', group: OWN })
        .option('end', { type: 'string', describe: 'ISO time or epoch seconds', group: OWN })
        .option('interval', { choices: ['hour', 'day', 'week', 'month'] as const, describe: 'bucket size', group: OWN })
        .option('group-by', { type: 'string', array: true, describe: 'dimensions to group by', group: OWN })
        .option('format', FORMAT)
        .example('$0 usage --meter-api-name llm_tokens_in --interval day --group-by model', 'input tokens per model per day'),
    (args) => on('usage', args))
    .command('cancel', 'cancel ingested usage with a filtering rule', (y) =>
      y.option('rule-id', { type: 'string', demandOption: true, describe: 'an id of your choice for the rule', group: OWN })
        .option('meter-api-name', { type: 'string', demandOption: true, describe: 'the meter', group: OWN })
        .option('start', { type: 'string', demandOption: true, describe: 'ISO time or epoch seconds', group: OWN })
        .option('end', { type: 'string', demandOption: true, describe: 'ISO time or epoch seconds', group: OWN })
        .option('customer', { type: 'string', describe: 'only this customer\'s usage', group: OWN })
        .option('dimension', { type: 'string', array: true, describe: 'k=v, repeatable: only usage with these', group: OWN })
        .option('format', FORMAT)
        .example('$0 cancel --rule-id fix-1 --meter-api-name llm_tokens_in --start 2026-12-01T00:00:00Z --end 2026-12-01T01:00:00Z', 'cancel an hour'),
    (args) => on('cancel', args))
    .command('report', 'what was read, shipped and dead-lettered, per hour or day, from the local ledger', (y) =>
      ledgerRange(y, 'day')
        .example('$0 report --start 2026-12-01 --end 2026-12-08 --group-by meter,model', 'a week, per meter and model')
        .example('$0 report --interval hour --format csv > usage.csv', 'the last 24 hours by hour, for a spreadsheet'),
    (args) => on('report', args))
    .command('audit', 'compare what was shipped with the usage Amberflo reports (exit 1 if a bucket differs)', (y) =>
      ledgerRange(y, 'hour')
        .option('settle', { type: 'string', describe: 'periods ending this recently are reported, not failed (default: 5m; 30m for s3, azure-blob)', group: OWN })
        .option('logs', { type: 'string', array: true, describe: 'instead: read these log files (globs, .gz) again and compare with what was read', group: OWN })
        .example('$0 audit --start 2026-12-01 --end 2026-12-02', 'every meter, hour by hour, against Amberflo')
        .example('$0 audit --logs "/var/log/litellm/*.log*"', 'find log files never followed and entries skipped'),
    (args) => on('audit', args))
    .strictCommands()
    .strictOptions()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(version)
    .wrap(Math.min(120, yargs().terminalWidth()))
    .fail((msg, err, y) => {
      if (err) throw err;
      // A missing or wrong value: the command's own usage; an unknown name: the name meant.
      if (/^Unknown arguments?: /.test(msg)) throw new UsageError(withSuggestion(msg));
      let usage: string | undefined;
      y.showHelp((text: string) => { usage = text; });
      throw new UsageError(`${msg}; aflo-tail ${commandOf(argv)}--help shows the usage`, usage);
    });
}

function commandOf(argv: string[]): string {
  const first = argv.find((a) => !a.startsWith('-'));
  return first !== undefined && COMMANDS.includes(first) ? `${first} ` : '';
}

/** yargs' "Unknown argument: x" with the closest known flag, and where the usage is. */
function withSuggestion(msg: string): string {
  const names = /^Unknown arguments?: (.+)$/.exec(msg)![1];
  const flags = [...SETTINGS.flatMap((d) => (d.flag ? [d.flag] : [])), SETTINGS_FILE_FLAG, 'once', 'json', 'dry-run', 'format', 'label',
    'meter-api-name', 'meter-type', 'start', 'end', 'interval', 'group-by', 'rule-id', 'customer', 'dimension', 'settle', 'logs', 'help', 'version'];
  // yargs names a kebab-case flag twice (env-file, envFile): once is enough.
  const given = names.split(', ').filter((a) => !/[A-Z]/.test(a) || !names.includes(a.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)));
  const hints = given.map((a) => RENAMED[a] ?? closest(a, flags)).filter((f): f is string => f !== undefined);
  return `Unknown argument${given.length > 1 ? 's' : ''}: ${given.join(', ')}${hints.length > 0 ? ` (did you mean ${hints.map((h) => `--${h}`).join(', ')}?)` : ''}; aflo-tail --help lists them`;
}

/** A first input that is no file, looks like no path, and is one typo away from a command: a mistyped command. */
export function mistypedCommand(inputs: string[]): string | undefined {
  const first = inputs[0];
  if (first === undefined || /[/.*?[]/.test(first) || existsSync(first)) return undefined;
  const command = closest(first, COMMANDS);
  return command && `unknown command ${first} (did you mean ${command}?); aflo-tail --help lists the commands`;
}
