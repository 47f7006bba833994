// `s3` backend: PutObject of the gzip body under the batch's key, through the standard AWS credential chain.
import { HeadBucketCommand, PutObjectCommand, S3Client, type ObjectCannedACL } from '@aws-sdk/client-s3';
import { classify, networkFailure } from './http-answer.js';
import type { Backend, CheckResult, OutgoingBatch, SendResult } from './types.js';

export interface S3Options {
  bucket: string;
  region: string;
  endpoint?: string;
  /** Explicit keys (from settings); without them the SDK's chain is used: env, profiles, SSO, instance roles. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  checksum: 'when_supported' | 'when_required';
  acl?: string;
  timeoutMs: number;
  now: () => number;
}

const SETTINGS = {
  credentials: 'AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance role)', target: 'AFLO_BUCKET_NAME',
  region: 'AWS_REGION (or AWS_ENDPOINT_URL)', recordErrors: false,
};

export function s3Client(o: S3Options): S3Client {
  return new S3Client({
    region: o.region,
    endpoint: o.endpoint,
    forcePathStyle: o.endpoint !== undefined,
    credentials: o.accessKeyId && o.secretAccessKey ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, sessionToken: o.sessionToken } : undefined,
    requestChecksumCalculation: o.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    responseChecksumValidation: o.checksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED',
    maxAttempts: 1,
    requestHandler: { requestTimeout: o.timeoutMs, connectionTimeout: o.timeoutMs },
  });
}

/** An SDK error → the shared answer classes; credential errors name the AWS settings, never their values. */
export function classifyS3Error(err: unknown, now: number): SendResult {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; $response?: { headers?: Record<string, string> } };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name ?? 'Error';
  // The SDK found no credentials (or could not load them): no request was made.
  if (name.includes('Credential') || name === 'UnrecognizedClientException') return { kind: 'misconfigured', status: status ?? null, reason: name, setting: SETTINGS.credentials };
  if (status === undefined) return networkFailure(err, 'S3');
  return classify({ status, retryAfter: e.$response?.headers?.['retry-after'], code: name }, SETTINGS, now);
}

export function s3Backend(o: S3Options): Backend {
  const client = s3Client(o);
  return {
    type: 's3',
    async send(batch: OutgoingBatch, signal: AbortSignal): Promise<SendResult> {
      try {
        await client.send(new PutObjectCommand({
          Bucket: o.bucket, Key: batch.key, Body: batch.body, ContentType: 'application/json', ContentEncoding: 'gzip',
          ACL: o.acl as ObjectCannedACL | undefined,
        }), { abortSignal: signal });
        return { kind: 'accepted' };
      } catch (err) {
        return classifyS3Error(err, o.now());
      }
    },
    async check(signal: AbortSignal): Promise<CheckResult> {
      try {
        await client.send(new HeadBucketCommand({ Bucket: o.bucket }), { abortSignal: signal });
        return { ok: true };
      } catch (err) {
        const r = classifyS3Error(err, o.now());
        if (r.kind === 'misconfigured') return { ok: false, retryable: true, reason: r.reason, setting: r.setting };
        return { ok: false, retryable: true, reason: r.kind === 'retry' ? r.reason : `bucket ${o.bucket}: ${'reason' in r ? r.reason : ''}`, setting: 'AFLO_BUCKET_NAME' };
      }
    },
    async close() { client.destroy(); },
  };
}
