// Chooses the backend named by AFLO_BACKEND_TYPE and fills its options from the settings.
import type { Writable } from 'node:stream';
import type { Settings } from '../config/settings.js';
import { apiBackend } from './api.js';
import { azureBackend } from './azure-blob.js';
import { fileBackend } from './file.js';
import { s3Backend } from './s3.js';
import { stdoutBackend } from './stdout.js';
import type { Backend } from './types.js';

export interface BackendDeps { stdout: Writable; now: () => number }

/** Settings were validated for the backend (validateForShipping), so the required ones are present. */
export function createBackend(s: Settings, deps: BackendDeps): Backend {
  const timeoutMs = s.requestTimeout * 1000;
  switch (s.backend) {
    case 'api': return apiBackend({ endpoint: s.apiEndpoint, apiKey: s.apiKey!, timeoutMs, now: deps.now });
    case 's3': return s3Backend({
      bucket: s.bucketName!, region: s.awsRegion!, endpoint: s.awsEndpointUrl, accessKeyId: s.awsAccessKeyId,
      secretAccessKey: s.awsSecretAccessKey, sessionToken: s.awsSessionToken, checksum: s.s3Checksum, acl: s.s3Acl, timeoutMs, now: deps.now,
    });
    case 'azure-blob': return azureBackend({ connectionString: s.azureConnectionString!, container: s.containerName!, timeoutMs, now: deps.now });
    case 'file': return fileBackend(s.outputDir!);
    case 'stdout': return stdoutBackend(deps.stdout);
  }
}
