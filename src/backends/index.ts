// Chooses the backend named by AFLO_BACKEND_TYPE and fills its options from the settings.
import type { Writable } from 'node:stream';
import { secretValues } from '../config/redact.js';
import type { Settings } from '../config/settings.js';
import { apiBackend } from './api.js';
import { fileBackend } from './file.js';
import { redacting } from './redacting.js';
import { stdoutBackend } from './stdout.js';
import type { Backend } from './types.js';

export interface BackendDeps { stdout: Writable; now: () => number }

/**
 * Settings were validated for the backend (validateForShipping), so the required ones are present. Its answers are
 * redacted of every configured secret (redacting.ts). The cloud SDKs load only when chosen: they take longer to load
 * than `map` takes to run on a small file.
 */
export async function createBackend(s: Settings, deps: BackendDeps): Promise<Backend> {
  return redacting(await chosen(s, deps), secretValues(s));
}

async function chosen(s: Settings, deps: BackendDeps): Promise<Backend> {
  const timeoutMs = s.requestTimeout * 1000;
  switch (s.backend) {
    case 'api': return apiBackend({ endpoint: s.apiEndpoint, apiKey: s.apiKey!, timeoutMs, now: deps.now, concurrency: s.sendConcurrency });
    case 's3': return (await import('./s3.js')).s3Backend({
      bucket: s.bucketName!, region: s.awsRegion!, endpoint: s.awsEndpointUrl, accessKeyId: s.awsAccessKeyId,
      secretAccessKey: s.awsSecretAccessKey, sessionToken: s.awsSessionToken, checksum: s.s3Checksum, acl: s.s3Acl, timeoutMs, now: deps.now,
    });
    case 'azure-blob': return (await import('./azure-blob.js')).azureBackend({ connectionString: s.azureConnectionString!, container: s.containerName!, timeoutMs, now: deps.now });
    case 'file': return fileBackend({ outputDir: s.outputDir!, fsync: s.outputFsync, mode: s.outputMode });
    case 'stdout': return stdoutBackend(deps.stdout);
  }
}
