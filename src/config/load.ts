// Builds Settings from flags, environment and --settings-file (in that precedence) and refuses bad ones by name.
import { SETTINGS, type Settings } from './settings.js';

export interface SettingSources {
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  settingsFile?: Record<string, string>;
}

export type LoadResult = { ok: true; settings: Settings } | { ok: false; errors: string[] };

function present(v: unknown): v is string | number | boolean {
  return v !== undefined && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0);
}

/** Reads every setting once; each error names the variable (and flag) and says what is wrong, never the value of a secret. */
export function loadSettings(src: SettingSources): LoadResult {
  const settings: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const def of SETTINGS) {
    const flag = def.flag ? src.flags[def.flag] : undefined;
    let raw: string | undefined;
    let from = '';
    if (present(flag)) { raw = String(flag); from = `--${def.flag}`; }
    else if (present(src.env[def.env])) { raw = src.env[def.env]; from = def.env; }
    else if (src.settingsFile && present(src.settingsFile[def.env])) { raw = src.settingsFile[def.env]; from = `${def.env} (settings file)`; }
    else raw = typeof def.default === 'function' ? def.default(src.env) : def.default;
    if (raw === undefined) continue;
    const parsed = def.parse(raw);
    if (parsed.ok) settings[def.key] = parsed.value;
    else {
      const shown = def.secret ? '' : ` (got "${raw.length > 80 ? raw.slice(0, 80) + '…' : raw}")`;
      errors.push(`${def.env}${def.flag ? ` / --${def.flag}` : ''}: ${parsed.why}${shown}${from && from !== def.env ? ` [from ${from}]` : ''}`);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, settings: settings as unknown as Settings };
}

/** What the chosen backend needs before anything is shipped; `readKeyFile` resolves AFLO_API_KEY_FILE. */
export function validateForShipping(
  s: Settings, readKeyFile: (path: string) => string, opts: { needApiKey?: boolean } = {},
): { ok: true; settings: Settings } | { ok: false; errors: string[] } {
  const errors: string[] = [];
  const need = (value: unknown, name: string) => {
    if (!present(value)) errors.push(`${name}: required when AFLO_BACKEND_TYPE=${s.backend}`);
  };
  let apiKey = s.apiKey;
  if (s.apiKeyFile && (s.backend === 'api' || opts.needApiKey)) {
    try {
      apiKey = readKeyFile(s.apiKeyFile).trim();
      if (apiKey === '') errors.push(`AFLO_API_KEY_FILE / --api-key-file: the file ${s.apiKeyFile} is empty`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      errors.push(`AFLO_API_KEY_FILE / --api-key-file: cannot read ${s.apiKeyFile} (${code})`);
    }
  }
  switch (s.backend) {
    case 'api':
      if (!apiKey && !s.apiKeyFile) errors.push('AFLO_API_KEY or AFLO_API_KEY_FILE: required when AFLO_BACKEND_TYPE=api');
      if (!isHttpUrl(s.apiEndpoint)) errors.push(`AFLO_API_ENDPOINT / --api-endpoint: must be an http(s) URL (got "${s.apiEndpoint}")`);
      break;
    case 's3':
      need(s.bucketName, 'AFLO_BUCKET_NAME');
      need(s.awsRegion, 'AWS_REGION');
      if (s.awsEndpointUrl && !isHttpUrl(s.awsEndpointUrl)) errors.push(`AWS_ENDPOINT_URL: must be an http(s) URL (got "${s.awsEndpointUrl}")`);
      break;
    case 'azure-blob':
      need(s.azureConnectionString, 'AZURE_STORAGE_CONNECTION_STRING');
      need(s.containerName, 'AFLO_CONTAINER_NAME');
      if (s.azureConnectionString && !/AccountName=|BlobEndpoint=|UseDevelopmentStorage=true/i.test(s.azureConnectionString)) {
        errors.push('AZURE_STORAGE_CONNECTION_STRING: is not a connection string (no AccountName= or BlobEndpoint=)');
      }
      break;
    case 'file':
      need(s.outputDir, 'AFLO_OUTPUT_DIR / --output-dir');
      break;
    case 'stdout':
      break;
  }
  const addr = s.httpAddr !== undefined ? parseHttpAddr(s.httpAddr) : undefined;
  if (s.httpAddr !== undefined && addr === undefined) {
    errors.push(`AFLO_HTTP_ADDR / --http-addr: must be PORT or HOST:PORT (got "${s.httpAddr}")`);
  }
  let ingestToken: string | undefined;
  if (s.ingestTokenFile) {
    try {
      ingestToken = readKeyFile(s.ingestTokenFile).trim();
      if (ingestToken.length < 16) errors.push(`AFLO_INGEST_TOKEN_FILE / --ingest-token-file: the token in ${s.ingestTokenFile} is shorter than 16 characters`);
    } catch (err) {
      errors.push(`AFLO_INGEST_TOKEN_FILE / --ingest-token-file: cannot read ${s.ingestTokenFile} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  // Without a token, POST /ingest is only for this host: anything that reaches another address could bill anyone.
  if (addr && !isLoopback(addr.host) && !s.ingestTokenFile) {
    errors.push(`AFLO_HTTP_ADDR / --http-addr: ${addr.host} is not a loopback address, and POST /ingest there needs a token: ` +
      'set AFLO_INGEST_TOKEN_FILE (--ingest-token-file), or bind 127.0.0.1');
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, settings: { ...s, apiKey, ingestToken } };
}

export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** 127.0.0.0/8, ::1 and localhost: reachable from this host only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** `PORT` binds 127.0.0.1; `HOST:PORT` binds HOST. */
export function parseHttpAddr(v: string): { host: string; port: number } | undefined {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(v.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = (m[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  return { host, port };
}
