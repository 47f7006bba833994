// `azure-blob` backend: a block blob per batch in the container, content type and encoding set, overwrite allowed.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { classify, networkFailure } from './http-answer.js';
import type { Backend, CheckResult, OutgoingBatch, SendResult } from './types.js';

export interface AzureOptions { connectionString: string; container: string; timeoutMs: number; now: () => number }

const SETTINGS = { credentials: 'AZURE_STORAGE_CONNECTION_STRING', target: 'AFLO_CONTAINER_NAME', recordErrors: false };

export function classifyAzureError(err: unknown, now: number): SendResult {
  const e = err as { name?: string; statusCode?: number; code?: string; response?: { headers?: { get?: (h: string) => string | undefined } } };
  if (e?.statusCode === undefined || e.statusCode === 0) return networkFailure(err, 'Azure Blob');
  return classify({ status: e.statusCode, retryAfter: e.response?.headers?.get?.('retry-after'), code: e.code, detail: e.code ? undefined : e.name }, SETTINGS, now);
}

export function azureBackend(o: AzureOptions): Backend {
  const container: ContainerClient = BlobServiceClient.fromConnectionString(o.connectionString, {
    retryOptions: { maxTries: 1, tryTimeoutInMs: o.timeoutMs },
  }).getContainerClient(o.container);
  return {
    type: 'azure-blob',
    async send(batch: OutgoingBatch, signal: AbortSignal): Promise<SendResult> {
      try {
        await container.getBlockBlobClient(batch.key).uploadData(batch.body, {
          blobHTTPHeaders: { blobContentType: 'application/json', blobContentEncoding: 'gzip' },
          abortSignal: signal,
        });
        return { kind: 'accepted' };
      } catch (err) {
        return classifyAzureError(err, o.now());
      }
    },
    async check(signal: AbortSignal): Promise<CheckResult> {
      try {
        if (await container.exists({ abortSignal: signal })) return { ok: true };
        return { ok: false, retryable: true, reason: `container ${o.container} does not exist`, setting: 'AFLO_CONTAINER_NAME' };
      } catch (err) {
        const r = classifyAzureError(err, o.now());
        return { ok: false, retryable: true, reason: 'reason' in r ? r.reason : 'error', setting: r.kind === 'misconfigured' ? r.setting : 'AZURE_STORAGE_CONNECTION_STRING' };
      }
    },
    async close() {},
  };
}
