// The settings table (README, "Settings"): name, environment variable, flag, default and parser for each setting.

export type BackendType = 'api' | 's3' | 'azure-blob' | 'file' | 'stdout';
export const BACKENDS: readonly BackendType[] = ['api', 's3', 'azure-blob', 'file', 'stdout'];

export interface Settings {
  backend: BackendType;
  apiKey?: string;
  apiKeyFile?: string;
  apiEndpoint: string;
  requestTimeout: number;
  bucketName?: string;
  awsRegion?: string;
  awsAccessKeyId?: string;
  awsSecretAccessKey?: string;
  awsSessionToken?: string;
  awsEndpointUrl?: string;
  s3Checksum: 'when_supported' | 'when_required';
  s3Acl?: string;
  azureConnectionString?: string;
  containerName?: string;
  outputDir?: string;
  outputFsync: boolean;
  outputMode: number;
  pathPrefix: string;
  hostedEnv: string;
  jsonLogs: boolean;
  debug: boolean;
  batchSize: number;
  flushInterval: number;
  maxBufferSize: number;
  bufferFull: 'block' | 'drop_newest';
  sendObjectMetadata: boolean;
  nativeMapper: boolean;
  mapping: 'default' | 'callback';
  stateDir: string;
  readFrom: 'beginning' | 'end';
  maxLineBytes: number;
  regionMap: string;
  httpAddr?: string;
  /** File holding the bearer token POST /ingest requires (AFLO_INGEST_TOKEN_FILE); `ingestToken` is what it holds. */
  ingestTokenFile?: string;
  ingestToken?: string;
  ingestAllowNegative: boolean;
  onceTimeout: number;
  shutdownTimeout: number;
  pollInterval: number;
  retryInitial: number;
  sendConcurrency: number;
  adaptiveConcurrency: boolean;
  decodeThreads: number;
  maxOpenFiles: number;
  ledgerRetentionDays: number;
  ledgerHourlyDays: number;
  retryMax: number;
  controlEndpoint: string;
  customerId?: string;
  logPaths: string[];
}

type Parsed = { ok: true; value: unknown } | { ok: false; why: string };
export interface SettingDef {
  key: keyof Settings;
  env: string;
  flag?: string;
  default?: string | ((env: Record<string, string | undefined>) => string | undefined);
  parse: (raw: string) => Parsed;
  secret?: boolean;
  help: string;
}

const ok = (value: unknown): Parsed => ({ ok: true, value });
const str: SettingDef['parse'] = (raw) => ok(raw);
const oneOf = (...values: string[]): SettingDef['parse'] => (raw) =>
  values.includes(raw) ? ok(raw) : { ok: false, why: `must be one of ${values.join(', ')}` };
const bool: SettingDef['parse'] = (raw) => {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return ok(true);
  if (['false', '0', 'no', 'off'].includes(v)) return ok(false);
  return { ok: false, why: 'must be true/false (also 1/0, yes/no, on/off)' };
};
const fileMode: SettingDef['parse'] = (raw) =>
  /^0?[0-7]{3}$/.test(raw.trim()) ? ok(parseInt(raw.trim(), 8)) : { ok: false, why: 'must be an octal file mode such as 0640' };
const positiveInt: SettingDef['parse'] = (raw) => {
  const n = Number(raw.trim());
  return /^\s*\d+\s*$/.test(raw) && Number.isSafeInteger(n) && n > 0 ? ok(n) : { ok: false, why: 'must be a whole number greater than 0' };
};
/** Decode threads: each takes tens of MB (its heap and buffers); more than the cores only costs memory. */
export const MAX_DECODE_THREADS = 16;
const threadCount: SettingDef['parse'] = (raw) => {
  const n = Number(raw.trim());
  return /^\s*\d+\s*$/.test(raw) && n <= MAX_DECODE_THREADS ? ok(n) : { ok: false, why: `must be a whole number from 0 to ${MAX_DECODE_THREADS}` };
};
/** Longest duration a setting takes: a week (timers past 2^31 ms, about 24.8 days, fire at once and spin). */
export const MAX_SECONDS = 604_800;
const positiveSeconds: SettingDef['parse'] = (raw) => {
  const n = Number(raw.trim());
  return raw.trim() !== '' && Number.isFinite(n) && n > 0 && n <= MAX_SECONDS
    ? ok(n) : { ok: false, why: `must be a number of seconds greater than 0 and at most ${MAX_SECONDS} (7 days)` };
};
const list: SettingDef['parse'] = (raw) => ok(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''));

export const SETTINGS: readonly SettingDef[] = [
  { key: 'backend', env: 'AFLO_BACKEND_TYPE', flag: 'backend', default: 's3', parse: oneOf(...BACKENDS), help: 'where batches go: api, s3, azure-blob, file, stdout' },
  { key: 'apiKey', env: 'AFLO_API_KEY', parse: str, secret: true, help: 'Amberflo API key' },
  { key: 'apiKeyFile', env: 'AFLO_API_KEY_FILE', flag: 'api-key-file', parse: str, help: 'file holding the Amberflo API key' },
  { key: 'apiEndpoint', env: 'AFLO_API_ENDPOINT', flag: 'api-endpoint', default: 'https://ingest.amberflo.io', parse: str, help: 'Amberflo ingest endpoint' },
  { key: 'requestTimeout', env: 'AFLO_REQUEST_TIMEOUT', flag: 'request-timeout', default: '30', parse: positiveSeconds, help: 'seconds one send may take' },
  { key: 'bucketName', env: 'AFLO_BUCKET_NAME', flag: 'bucket', parse: str, help: 'S3 bucket' },
  { key: 'awsRegion', env: 'AWS_REGION', parse: str, help: 'AWS region of the bucket' },
  { key: 'awsAccessKeyId', env: 'AWS_ACCESS_KEY_ID', parse: str, help: 'AWS access key id' },
  { key: 'awsSecretAccessKey', env: 'AWS_SECRET_ACCESS_KEY', parse: str, secret: true, help: 'AWS secret access key' },
  { key: 'awsSessionToken', env: 'AWS_SESSION_TOKEN', parse: str, secret: true, help: 'AWS session token' },
  { key: 'awsEndpointUrl', env: 'AWS_ENDPOINT_URL', parse: str, help: 'S3-compatible endpoint' },
  { key: 's3Checksum', env: 'AFLO_S3_CHECKSUM', flag: 's3-checksum', default: 'when_supported', parse: oneOf('when_supported', 'when_required'), help: 'S3 request checksums' },
  { key: 's3Acl', env: 'AFLO_S3_ACL', flag: 's3-acl', parse: oneOf('bucket-owner-full-control', 'private'), help: 'object ACL for uploads' },
  { key: 'azureConnectionString', env: 'AZURE_STORAGE_CONNECTION_STRING', parse: str, secret: true, help: 'Azure Storage connection string' },
  { key: 'containerName', env: 'AFLO_CONTAINER_NAME', flag: 'container', parse: str, help: 'Azure Blob container' },
  { key: 'outputDir', env: 'AFLO_OUTPUT_DIR', flag: 'output-dir', parse: str, help: 'directory of the file backend' },
  { key: 'outputFsync', env: 'AFLO_OUTPUT_FSYNC', flag: 'output-fsync', default: 'true', parse: bool, help: 'file backend: a batch is accepted once flushed to disk (false: once written)' },
  { key: 'outputMode', env: 'AFLO_OUTPUT_MODE', flag: 'output-mode', default: '0640', parse: fileMode, help: 'file backend: the mode of each object written (octal)' },
  { key: 'pathPrefix', env: 'AFLO_PATH', flag: 'path-prefix', default: 'litellm-metering', parse: str, help: 'object key prefix' },
  { key: 'hostedEnv', env: 'AFLO_HOSTED_ENV', flag: 'hosted-env', default: 'prod', parse: str, help: 'hostedEnv dimension' },
  { key: 'jsonLogs', env: 'AFLO_JSON_LOGS', default: 'true', parse: bool, help: 'JSON logs; false for readable lines' },
  { key: 'debug', env: 'AFLO_DEBUG', flag: 'debug', default: 'false', parse: bool, help: 'debug logging' },
  { key: 'batchSize', env: 'AFLO_BATCH_SIZE', flag: 'batch-size', default: '100', parse: positiveInt, help: 'events per batch' },
  { key: 'flushInterval', env: 'AFLO_FLUSH_INTERVAL', flag: 'flush-interval', default: '300', parse: positiveSeconds, help: 'seconds an event may wait before its batch is sent' },
  { key: 'maxBufferSize', env: 'AFLO_MAX_BUFFER_SIZE', flag: 'max-buffer-size', default: '10000', parse: positiveInt, help: 'events held at most' },
  { key: 'bufferFull', env: 'AFLO_BUFFER_FULL', flag: 'buffer-full', default: 'block', parse: oneOf('block', 'drop_newest'), help: 'when the buffer is full' },
  { key: 'sendObjectMetadata', env: 'AFLO_SEND_OBJECT_METADATA', default: 'false', parse: bool, help: 'emit aflo.object_metadata events' },
  { key: 'nativeMapper', env: 'AFLO_NATIVE_MAPPER', flag: 'native-mapper', default: 'true', parse: bool, help: 'map plain lines with the native addon when it is built (false: the JavaScript mapper only)' },
  { key: 'mapping', env: 'AFLO_MAPPING', flag: 'mapping', default: 'default', parse: oneOf('default', 'callback'), help: 'the event set: default, or callback (the events of Amberflo\'s LiteLLM callback)' },
  { key: 'stateDir', env: 'AFLO_STATE_DIR', flag: 'state-dir', default: (env) => env.STATE_DIRECTORY?.split(':')[0] || './.aflo-tail', parse: str, help: 'where the SQLite state lives' },
  { key: 'readFrom', env: 'AFLO_READ_FROM', flag: 'read-from', default: 'beginning', parse: oneOf('beginning', 'end'), help: 'where a file with no checkpoint starts' },
  { key: 'maxLineBytes', env: 'AFLO_MAX_LINE_BYTES', flag: 'max-line-bytes', default: '33554432', parse: positiveInt, help: 'longer entries are skipped and counted' },
  { key: 'regionMap', env: 'AFLO_REGION_MAP', default: '', parse: str, help: 'host=region,... for hosts whose name carries no region' },
  { key: 'httpAddr', env: 'AFLO_HTTP_ADDR', flag: 'http-addr', parse: str, help: 'serve /metrics, /healthz, POST /ingest here' },
  { key: 'ingestTokenFile', env: 'AFLO_INGEST_TOKEN_FILE', flag: 'ingest-token-file', parse: str, help: 'file holding the bearer token POST /ingest requires (needed to serve /ingest on an address other than loopback)' },
  { key: 'ingestAllowNegative', env: 'AFLO_INGEST_ALLOW_NEGATIVE', flag: 'ingest-allow-negative', default: 'false', parse: bool, help: 'POST /ingest takes negative meter values (corrections); refused otherwise' },
  { key: 'onceTimeout', env: 'AFLO_ONCE_TIMEOUT', flag: 'once-timeout', default: '600', parse: positiveSeconds, help: 'seconds --once keeps retrying' },
  { key: 'shutdownTimeout', env: 'AFLO_SHUTDOWN_TIMEOUT', flag: 'shutdown-timeout', default: '10', parse: positiveSeconds, help: 'seconds a stopping daemon spends sending' },
  { key: 'pollInterval', env: 'AFLO_POLL_INTERVAL', flag: 'poll-interval', default: '1', parse: positiveSeconds, help: 'seconds between file rescans' },
  { key: 'sendConcurrency', env: 'AFLO_SEND_CONCURRENCY', flag: 'send-concurrency', default: '128', parse: positiveInt, help: 'batches sent at the same time at most (adapted below it to the backend)' },
  { key: 'adaptiveConcurrency', env: 'AFLO_ADAPTIVE_CONCURRENCY', flag: 'adaptive-concurrency', default: 'true', parse: bool, help: 'adapt the batches sent at once to the backend\'s round trip and refusals (false: always AFLO_SEND_CONCURRENCY)' },
  { key: 'decodeThreads', env: 'AFLO_DECODE_THREADS', flag: 'decode-threads', default: '1', parse: threadCount, help: 'threads that parse and map log files (0: on the main thread); started with the first large read' },
  { key: 'maxOpenFiles', env: 'AFLO_MAX_OPEN_FILES', flag: 'max-open-files', default: '256', parse: positiveInt, help: 'log files held open at most; idle ones past it are closed and opened again when they change' },
  { key: 'ledgerRetentionDays', env: 'AFLO_LEDGER_RETENTION_DAYS', flag: 'ledger-retention-days', default: '400', parse: positiveInt, help: 'days the ledger keeps its totals of what was read, shipped and dead-lettered (report, audit)' },
  { key: 'ledgerHourlyDays', env: 'AFLO_LEDGER_HOURLY_DAYS', flag: 'ledger-hourly-days', default: '14', parse: positiveInt, help: 'days the ledger keeps by the hour; older hours are summed into days' },
  { key: 'retryInitial', env: 'AFLO_RETRY_INITIAL', flag: 'retry-initial', default: '1', parse: positiveSeconds, help: 'seconds before the first retry of a failed send (doubles each time)' },
  { key: 'retryMax', env: 'AFLO_RETRY_MAX', flag: 'retry-max', default: '300', parse: positiveSeconds, help: 'longest wait between retries, in seconds' },
  { key: 'controlEndpoint', env: 'AFLO_CONTROL_ENDPOINT', flag: 'control-endpoint', default: 'https://app.amberflo.io', parse: str, help: 'Amberflo API for meters, usage, cancel' },
  { key: 'customerId', env: 'AFLO_CUSTOMER_ID', parse: str, help: 'adds customerId to every event' },
  { key: 'logPaths', env: 'AFLO_LOG_PATHS', default: '', parse: list, help: 'comma-separated paths or globs to follow' },
];
