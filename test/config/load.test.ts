// Settings: precedence, defaults, every refusal names its setting, and no secret appears in any message.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettingsFile } from '../../src/config/settings-file.js';
import { loadSettings, parseHttpAddr, validateForShipping } from '../../src/config/load.js';
import { printableSettings, scrub, secretValues } from '../../src/config/redact.js';
import type { Settings } from '../../src/config/settings.js';
import { tempDir } from '../helpers.js';

const load = (env: Record<string, string>, flags: Record<string, unknown> = {}, settingsFile?: Record<string, string>) =>
  loadSettings({ env, flags, settingsFile });
const settings = (env: Record<string, string>, flags: Record<string, unknown> = {}): Settings => {
  const r = load(env, flags);
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.settings;
};
const noFile = () => { throw Object.assign(new Error('x'), { code: 'ENOENT' }); };

describe('settings', () => {
  it('has the documented defaults', () => {
    const s = settings({});
    expect(s).toMatchObject({
      backend: 's3', apiEndpoint: 'https://ingest.amberflo.io', pathPrefix: 'litellm-metering', hostedEnv: 'prod',
      jsonLogs: true, debug: false, batchSize: 100, flushInterval: 300, maxBufferSize: 10000, bufferFull: 'block',
      sendObjectMetadata: false, stateDir: './.aflo-tail', readFrom: 'beginning', maxLineBytes: 33554432,
      onceTimeout: 600, shutdownTimeout: 10, controlEndpoint: 'https://app.amberflo.io', logPaths: [],
    });
  });

  it('takes flag over environment over settings file over default; an empty variable is unset', () => {
    expect(settings({ AFLO_BATCH_SIZE: '7' }, { 'batch-size': '9' }).batchSize).toBe(9);
    expect(settings({ AFLO_BATCH_SIZE: '7' }).batchSize).toBe(7);
    const r = load({ AFLO_BATCH_SIZE: '' }, {}, { AFLO_BATCH_SIZE: '5' });
    expect(r.ok && r.settings.batchSize).toBe(5);
  });

  it('reads the state directory from systemd $STATE_DIRECTORY', () => {
    expect(settings({ STATE_DIRECTORY: '/var/lib/aflo-tail' }).stateDir).toBe('/var/lib/aflo-tail');
  });

  it('reads booleans in every spelling', () => {
    for (const t of ['true', 'TRUE', '1', 'yes', 'On']) expect(settings({ AFLO_DEBUG: t }).debug).toBe(true);
    for (const f of ['false', '0', 'no', 'OFF']) expect(settings({ AFLO_JSON_LOGS: f }).jsonLogs).toBe(false);
  });

  const refusals: [Record<string, string>, string][] = [
    [{ AFLO_BACKEND_TYPE: 'kafka' }, 'AFLO_BACKEND_TYPE'],
    [{ AFLO_BATCH_SIZE: '0' }, 'AFLO_BATCH_SIZE'],
    [{ AFLO_BATCH_SIZE: '-3' }, 'AFLO_BATCH_SIZE'],
    [{ AFLO_BATCH_SIZE: '1.5' }, 'AFLO_BATCH_SIZE'],
    [{ AFLO_MAX_BUFFER_SIZE: '0' }, 'AFLO_MAX_BUFFER_SIZE'],
    [{ AFLO_MAX_LINE_BYTES: 'lots' }, 'AFLO_MAX_LINE_BYTES'],
    [{ AFLO_FLUSH_INTERVAL: '0' }, 'AFLO_FLUSH_INTERVAL'],
    [{ AFLO_FLUSH_INTERVAL: '-1' }, 'AFLO_FLUSH_INTERVAL'],
    [{ AFLO_ONCE_TIMEOUT: 'never' }, 'AFLO_ONCE_TIMEOUT'],
    [{ AFLO_SHUTDOWN_TIMEOUT: '0' }, 'AFLO_SHUTDOWN_TIMEOUT'],
    [{ AFLO_BUFFER_FULL: 'drop_oldest' }, 'AFLO_BUFFER_FULL'],
    [{ AFLO_READ_FROM: 'middle' }, 'AFLO_READ_FROM'],
    [{ AFLO_DEBUG: 'maybe' }, 'AFLO_DEBUG'],
    [{ AFLO_OUTPUT_FSYNC: 'maybe' }, 'AFLO_OUTPUT_FSYNC'],
    [{ AFLO_NATIVE_MAPPER: 'sometimes' }, 'AFLO_NATIVE_MAPPER'],
    [{ AFLO_S3_CHECKSUM: 'always' }, 'AFLO_S3_CHECKSUM'],
    [{ AFLO_DECODE_THREADS: '-1' }, 'AFLO_DECODE_THREADS'],
    [{ AFLO_MAX_OPEN_FILES: '0' }, 'AFLO_MAX_OPEN_FILES'],
    [{ AFLO_MAPPING: 'vendor' }, 'AFLO_MAPPING'],
    [{ AFLO_DECODE_THREADS: 'many' }, 'AFLO_DECODE_THREADS'],
    // 200 threads took 1.5 GB on a 50-line file.
    [{ AFLO_DECODE_THREADS: '200' }, 'AFLO_DECODE_THREADS'],
  ];
  for (const [env, name] of refusals) {
    it(`refuses ${JSON.stringify(env)} naming ${name}`, () => {
      const r = load(env);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join('\n')).toContain(name);
    });
  }

  const shipping: [Record<string, string>, string][] = [
    [{ AFLO_BACKEND_TYPE: 'api' }, 'AFLO_API_KEY'],
    [{ AFLO_BACKEND_TYPE: 'api', AFLO_API_KEY: 'k', AFLO_API_ENDPOINT: 'not a url' }, 'AFLO_API_ENDPOINT'],
    [{ AFLO_BACKEND_TYPE: 's3', AWS_REGION: 'us-east-1' }, 'AFLO_BUCKET_NAME'],
    [{ AFLO_BACKEND_TYPE: 's3', AFLO_BUCKET_NAME: 'b' }, 'AWS_REGION'],
    [{ AFLO_BACKEND_TYPE: 'azure-blob', AFLO_CONTAINER_NAME: 'c' }, 'AZURE_STORAGE_CONNECTION_STRING'],
    [{ AFLO_BACKEND_TYPE: 'azure-blob', AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }, 'AFLO_CONTAINER_NAME'],
    [{ AFLO_BACKEND_TYPE: 'file' }, 'AFLO_OUTPUT_DIR'],
    [{ AFLO_BACKEND_TYPE: 'stdout', AFLO_HTTP_ADDR: 'here' }, 'AFLO_HTTP_ADDR'],
    [{ AFLO_BACKEND_TYPE: 'api', AFLO_API_KEY_FILE: '/nonexistent/key' }, 'AFLO_API_KEY_FILE'],
  ];
  for (const [env, name] of shipping) {
    it(`the backend check refuses ${JSON.stringify(env)} naming ${name}`, () => {
      const r = validateForShipping(settings(env), noFile);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join('\n')).toContain(name);
    });
  }

  it('reads the API key from AFLO_API_KEY_FILE', () => {
    const dir = tempDir();
    const file = join(dir.path, 'key');
    writeFileSync(file, 'file-key-123\n');
    const r = validateForShipping(settings({ AFLO_BACKEND_TYPE: 'api', AFLO_API_KEY_FILE: file }), (p) => readFileSync(p, 'utf8'));
    expect(r.ok && r.settings.apiKey).toBe('file-key-123');
    dir.remove();
  });

  it('puts no secret in any message, printout or scrubbed text', () => {
    const secrets = { AFLO_API_KEY: 'sk-very-secret-1', AWS_SECRET_ACCESS_KEY: 'aws-very-secret-2',
      AZURE_STORAGE_CONNECTION_STRING: 'DefaultEndpointsProtocol=https;AccountName=a;AccountKey=azure-very-secret-3;EndpointSuffix=x' };
    const bad = load({ ...secrets, AFLO_BATCH_SIZE: '0', AFLO_DEBUG: 'x' });
    const s = settings({ ...secrets, AFLO_BACKEND_TYPE: 'azure-blob' });
    const texts = [
      bad.ok ? '' : bad.errors.join('\n'),
      JSON.stringify(printableSettings(s)),
      scrub(`failed: ${Object.values(secrets).join(' ')} key=azure-very-secret-3`, secretValues(s)),
      scrub('https://a.blob.core.windows.net/c?sv=1&sig=abcdEFGH%2F123&se=2', []),
    ];
    for (const t of texts) for (const v of ['sk-very-secret-1', 'aws-very-secret-2', 'azure-very-secret-3', 'abcdEFGH']) expect(t).not.toContain(v);
  });

  it('parses settings files as systemd and Docker write them', () => {
    expect(parseSettingsFile('# c\nexport A=1\nB="two words" \nC=\'x#y\'\nD=plain # note\n\nbad line\n')).toEqual({ A: '1', B: 'two words', C: 'x#y', D: 'plain' });
  });

  it('binds 127.0.0.1 when only a port is given', () => {
    expect(parseHttpAddr('9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(parseHttpAddr('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(parseHttpAddr('x')).toBeUndefined();
  });
});
