// What an answer means: a 4xx that is about the request or the configuration never sends events to the dead-letter
// table; only a service that judges records (the Amberflo API) can refuse records.
import { beforeEach, describe, expect, it } from 'vitest';
import { classify } from '../../src/backends/http-answer.js';
import { run } from '../e2e/cli.js';
import { fastEnv, status, useLogFile } from '../e2e/harness.js';
import { FakeIngest } from '../fakes/ingest-server.js';
import { FakeS3 } from '../fakes/s3-faults.js';

const S3 = { credentials: 'AWS_KEYS', target: 'AFLO_BUCKET_NAME', region: 'AWS_REGION', recordErrors: false };
const API = { credentials: 'AFLO_API_KEY', target: 'AFLO_API_ENDPOINT', recordErrors: true };

describe('classify', () => {
  it('object-store codes: transient ones retry, configuration ones name the setting, none dead-letter', () => {
    expect(classify({ status: 400, code: 'RequestTimeout' }, S3, 0).kind).toBe('retry');
    expect(classify({ status: 503, code: 'SlowDown' }, S3, 0).kind).toBe('retry');
    expect(classify({ status: 400, code: 'AuthorizationHeaderMalformed' }, S3, 0)).toMatchObject({ kind: 'misconfigured', setting: 'AWS_REGION' });
    expect(classify({ status: 301, code: 'PermanentRedirect' }, S3, 0)).toMatchObject({ kind: 'misconfigured', setting: 'AWS_REGION' });
    expect(classify({ status: 404, code: 'NoSuchBucket' }, S3, 0)).toMatchObject({ kind: 'misconfigured', setting: 'AFLO_BUCKET_NAME' });
    expect(classify({ status: 403, code: 'RequestTimeTooSkewed' }, S3, 0).kind).toBe('misconfigured');
    expect(classify({ status: 400, code: 'EntityTooLarge' }, S3, 0).kind).toBe('too_large');
    expect(classify({ status: 400, code: 'SomethingNew' }, S3, 0).kind).toBe('misconfigured');
  });

  it('statuses about the endpoint or a proxy stop and name the endpoint; the API refuses records with 400/422', () => {
    for (const status of [404, 405, 407, 411, 421]) expect(classify({ status }, API, 0)).toMatchObject({ kind: 'misconfigured' });
    expect((classify({ status: 407 }, API, 0) as { setting: string }).setting).toContain('proxy');
    expect(classify({ status: 400 }, API, 0).kind).toBe('rejected');
    expect(classify({ status: 422 }, API, 0).kind).toBe('rejected');
    expect(classify({ status: 408 }, API, 0).kind).toBe('retry');
    expect(classify({ status: 413 }, API, 0).kind).toBe('too_large');
  });
});

describe('refusals against real programs', () => {
  const fx = useLogFile(Array.from({ length: 12 }, (_, i) => `q${i}`));
  let state: string, log: string;
  beforeEach(() => ({ state, log } = fx));

  it('s3: 400 RequestTimeout is retried until accepted; nothing is dead-lettered', async () => {
    const s3 = new FakeS3();
    await s3.start();
    s3.script = (n) => (n <= 3 ? { status: 400, code: 'RequestTimeout' } : undefined);
    try {
      const r = await run(['--once', log], { ...fastEnv(state, ''), AFLO_BACKEND_TYPE: 's3', AFLO_BUCKET_NAME: 'b', AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: s3.url, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's3-secret-xyz', AFLO_BATCH_SIZE: '12' });
      expect(r.code).toBe(0);
      expect(s3.records().filter((e) => e.meterApiName === 'llm_requests')).toHaveLength(12);
      expect((await status(state)).events).toMatchObject({ dead_lettered: 0, accepted: 48, buffered: 0 });
    } finally {
      await s3.stop();
    }
  });

  it('s3: 400 AuthorizationHeaderMalformed (wrong region) keeps every event, exits 1 naming AWS_REGION', async () => {
    const s3 = new FakeS3();
    await s3.start();
    s3.script = () => ({ status: 400, code: 'AuthorizationHeaderMalformed' });
    try {
      const r = await run(['--once', log], { ...fastEnv(state, ''), AFLO_BACKEND_TYPE: 's3', AFLO_BUCKET_NAME: 'b', AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: s3.url, AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's3-secret-xyz' });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('AWS_REGION');
      expect(r.stderr).not.toContain('s3-secret-xyz');
      expect((await status(state)).events).toMatchObject({ dead_lettered: 0, buffered: 48 });
    } finally {
      await s3.stop();
    }
  });

  for (const [what, action] of [['405 from a wrong path', { status: 405 }], ['407 from a proxy', { status: 407 }],
    ['400 for every event alike (a gateway)', { status: 400, body: '{"message":"bad request"}' }]] as const) {
    it(`api: ${what} keeps every event and exits 1 naming AFLO_API_ENDPOINT; nothing is dead-lettered`, async () => {
      const server = new FakeIngest('key-1');
      await server.start();
      server.script = () => action;
      try {
        const r = await run(['--once', log], { ...fastEnv(state, ''), AFLO_BACKEND_TYPE: 'api', AFLO_API_ENDPOINT: server.url, AFLO_API_KEY: 'key-1', AFLO_BATCH_SIZE: '12' });
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('AFLO_API_ENDPOINT');
        expect((await status(state)).events).toMatchObject({ dead_lettered: 0, buffered: 48, accepted: 0 });
      } finally {
        await server.stop();
      }
    });
  }
});
