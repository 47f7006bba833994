// Chooses the backend named by AFLO_BACKEND_TYPE.
import type { Writable } from 'node:stream';
import type { Settings } from '../config/settings.js';
import { fileBackend } from './file.js';
import { stdoutBackend } from './stdout.js';
import type { Backend } from './types.js';

export interface BackendDeps { stdout: Writable }

export function createBackend(s: Settings, deps: BackendDeps): Backend {
  switch (s.backend) {
    case 'file': return fileBackend(s.outputDir!);
    case 'stdout': return stdoutBackend(deps.stdout);
    default: throw new Error(`backend ${s.backend} is not available in this build`);
  }
}
