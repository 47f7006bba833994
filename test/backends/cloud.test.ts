// s3 and azure-blob backends against real servers on 127.0.0.1 (s3rver, Azurite): objects, layout, re-sends, secrets.
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient } from '@azure/storage-blob';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { s3Backend } from '../../src/backends/s3.js';
import { Store } from '../../src/state/store.js';
import { newFlusher } from '../helpers.js';
import { run } from '../e2e/cli.js';
import { fastEnv, status, useLogFile } from '../e2e/harness.js';
import { AZURITE_KEY, S3_KEY, S3_SECRET, startAzurite, startS3 } from '../fakes/cloud-servers.js';

const KEY_LAYOUT = /^litellm-metering\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/\d{2}\/merged_logs_[0-9a-f]{32}\.json\.gz$/;
let s3: Awaited<ReturnType<typeof startS3>>;
let azure: Awaited<ReturnType<typeof startAzurite>>;
beforeAll(async () => {
  [s3, azure] = await Promise.all([startS3(['bills', 'other']), startAzurite()]);
  await BlobServiceClient.fromConnectionString(azure.connectionString).createContainer('usage');
}, 60_000);
afterAll(async () => { await Promise.all([s3?.stop(), azure?.stop()]); });

const ids = Array.from({ length: 30 }, (_, i) => `c${i}`);
const fx = useLogFile(ids);
let state: string, log: string;
beforeEach(() => ({ state, log } = fx));

const s3Env = (extra: Record<string, string> = {}) => ({
  ...fastEnv(state, join(fx.path, 'x')), AFLO_BACKEND_TYPE: 's3', AFLO_BUCKET_NAME: 'bills', AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: s3.endpoint, AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_SECRET, AFLO_S3_CHECKSUM: 'when_required',
  AFLO_BATCH_SIZE: '25', AFLO_PATH: 'litellm-metering', ...extra,
});
const azureEnv = (extra: Record<string, string> = {}) => ({
  ...fastEnv(state, join(fx.path, 'x')), AFLO_BACKEND_TYPE: 'azure-blob', AZURE_STORAGE_CONNECTION_STRING: azure.connectionString,
  AFLO_CONTAINER_NAME: 'usage', AFLO_BATCH_SIZE: '25', ...extra,
});

const client = () => new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET } });

async function s3Objects(bucket = 'bills'): Promise<Map<string, { records: unknown[]; type?: string; encoding?: string }>> {
  const c = client();
  const out = new Map();
  const list = await c.send(new ListObjectsV2Command({ Bucket: bucket }));
  for (const o of list.Contents ?? []) {
    const get = await c.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    const head = await c.send(new HeadObjectCommand({ Bucket: bucket, Key: o.Key! }));
    const body = Buffer.from(await get.Body!.transformToByteArray());
    out.set(o.Key!, { records: JSON.parse(gunzipSync(body).toString()), type: head.ContentType, encoding: head.ContentEncoding });
  }
  c.destroy();
  return out;
}

async function azureObjects(): Promise<Map<string, { records: unknown[]; type?: string; encoding?: string }>> {
  const container = BlobServiceClient.fromConnectionString(azure.connectionString).getContainerClient('usage');
  const out = new Map();
  for await (const b of container.listBlobsFlat()) {
    const blob = container.getBlobClient(b.name);
    const body = await blob.downloadToBuffer();
    const props = await blob.getProperties();
    out.set(b.name, { records: JSON.parse(gunzipSync(body).toString()), type: props.contentType, encoding: props.contentEncoding });
  }
  return out;
}

async function expectedRecords(): Promise<string[]> {
  const m = await run(['map', log]);
  return m.stdout.trim().split('\n').sort();
}

describe.each([
  { name: 's3', env: s3Env, objects: () => s3Objects(), secret: S3_SECRET },
  { name: 'azure-blob', env: azureEnv, objects: azureObjects, secret: AZURITE_KEY },
])('$name backend', ({ env, objects, secret }) => {
  it('ships a log with --once; the objects hold exactly the mapped events, with the key layout, type and encoding', async () => {
    const before = new Set((await objects()).keys());
    const r = await run(['--once', log], env());
    expect(r.code).toBe(0);
    const mine = [...(await objects()).entries()].filter(([k]) => !before.has(k));
    expect(mine).toHaveLength(5);
    for (const [key, o] of mine) {
      expect(key).toMatch(KEY_LAYOUT);
      expect(o.type).toBe('application/json');
      expect(o.encoding).toBe('gzip');
    }
    expect(mine.flatMap(([, o]) => o.records.map((x) => JSON.stringify(x))).sort()).toEqual(await expectedRecords());
    const again = await run(['--once', log], env());
    expect(again.code).toBe(0);
    expect((await objects()).size).toBe(before.size + 5);
    expect((await status(state)).events).toMatchObject({ produced: 120, accepted: 120 });
  });

  it('with debug logging, no secret appears in any output', async () => {
    const r = await run(['--once', log], env({ AFLO_DEBUG: 'true', AFLO_JSON_LOGS: 'false' }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('batch accepted');
    expect(r.stdout + r.stderr).not.toContain(secret);
  });
});

describe('refusals', () => {
  it('s3: refused credentials stop --once with exit 1 naming the AWS settings, never the secret, and keep every event', async () => {
    const wrong = 'wrong-aws-secret-7f3e9d';
    // s3rver checks the access key id (not signatures): an unknown id is its credential refusal.
    const r = await run(['--once', log], s3Env({ AWS_ACCESS_KEY_ID: 'UNKNOWNKEY', AWS_SECRET_ACCESS_KEY: wrong, AFLO_DEBUG: 'true' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AWS_SECRET_ACCESS_KEY');
    expect(r.stderr + r.stdout).not.toContain(wrong);
    expect((await status(state)).events.buffered).toBe(120);
  });

  it('s3: a missing bucket names AFLO_BUCKET_NAME and loses nothing', async () => {
    const r = await run(['--once', log], s3Env({ AFLO_BUCKET_NAME: 'no-such-bucket' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AFLO_BUCKET_NAME');
    expect((await status(state)).events.buffered).toBe(120);
  });

  it('azure: a missing container names AFLO_CONTAINER_NAME; a wrong key names the connection string, never the key', async () => {
    const missing = await run(['--once', log], azureEnv({ AFLO_CONTAINER_NAME: 'nope' }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('AFLO_CONTAINER_NAME');
    const badKey = Buffer.from('not-the-real-key-0123456789').toString('base64');
    const wrong = await run(['--once', log], azureEnv({ AZURE_STORAGE_CONNECTION_STRING: azure.connectionString.replace(AZURITE_KEY, badKey), AFLO_DEBUG: 'true' }));
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('AZURE_STORAGE_CONNECTION_STRING');
    expect(wrong.stderr + wrong.stdout).not.toContain(badKey);
  });
});

describe('a crash between upload and acknowledgement', () => {
  it('re-uploads the same bytes to the same key', async () => {
    const opts = { batchSize: 25, flushIntervalMs: 0, maxBufferSize: 1000, prefix: 'crash', backoff: { baseMs: 1, capMs: 5, random: () => 0.5 }, authRetryMs: 10, concurrency: 2, now: Date.now, log: pino({ level: 'silent' }) };
    const backend = () => s3Backend({ bucket: 'other', region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: S3_KEY, secretAccessKey: S3_SECRET, checksum: 'when_required', timeoutMs: 5000, now: Date.now });
    // Batches cut but not sent (the bucket is missing). A run cut short by its deadline instead could leave a
    // half-written object behind: s3rver, unlike S3, keeps the part of an aborted PutObject it received.
    const r = await run(['--once', log], s3Env({ AFLO_BUCKET_NAME: 'no-such-bucket', AFLO_PATH: 'crash' }));
    expect(r.code).toBe(1);
    // Upload the pending batches without acknowledging them: what a crash right after the upload leaves.
    const first = Store.open(state, Date.now);
    const b1 = s3Backend({ bucket: 'other', region: 'us-east-1', endpoint: s3.endpoint, accessKeyId: S3_KEY, secretAccessKey: S3_SECRET, checksum: 'when_required', timeoutMs: 5000, now: Date.now });
    for (const row of first.pendingBatches(100)) {
      expect((await b1.send({ id: row.id, key: row.key, body: row.body, eventCount: row.event_count, records: () => [] }, new AbortController().signal)).kind).toBe('accepted');
    }
    const uploaded = await s3Objects('other');
    first.close();
    const second = Store.open(state, Date.now);
    const flusher = newFlusher(second, backend(), opts);
    expect(await flusher.drain(AbortSignal.timeout(10_000), true)).toEqual({ ok: true });
    second.close();
    const after = await s3Objects('other');
    expect([...after.keys()].sort()).toEqual([...uploaded.keys()].sort());
    expect(after.size).toBeGreaterThan(0);
  });
});
