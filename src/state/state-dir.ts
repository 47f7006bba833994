// Whether the state directory can be used, told in one line that names the path and what to do (never a stack trace).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StartError } from '../config/start-error.js';

const SETTING = 'AFLO_STATE_DIR (--state-dir)';

/** The directory exists (made when missing) and this user may write in it and in what it holds. */
export function checkWritableStateDir(dir: string, files: readonly string[]): StartError | undefined {
  const kind = kindOf(dir);
  if (kind === 'other') return new StartError(`${SETTING}: ${dir} is a file, not a directory: point ${SETTING} at a directory`, 2);
  if (kind === 'missing') {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      const cause = ancestorProblem(dir) ?? err;
      return new StartError(`${SETTING}: cannot make ${dir} (${codeOf(cause)}): ${codeOf(cause) === 'EACCES'
        ? 'make it for the user aflo-tail runs as (mkdir, chown), or choose a directory that user may write' : remedy(cause)}`, 2);
    }
  }
  for (const path of [dir, ...files.map((f) => join(dir, f))]) {
    try {
      accessSync(path, constants.W_OK | constants.R_OK);
    } catch (err) {
      if (codeOf(err) === 'ENOENT') continue;
      return new StartError(`${SETTING}: cannot write ${path} (${codeOf(err)}): ${remedy(err)}`, 2);
    }
  }
  return undefined;
}

/** For commands that only read (status, dlq list): the state database can be read by this user. */
export function readableStateError(dir: string, err: unknown): StartError {
  if (kindOf(dir) === 'other') return new StartError(`${SETTING}: ${dir} is a file, not a directory: point ${SETTING} at a directory`, 2);
  return new StartError(`cannot read the state in ${dir} (${codeOf(err)}): ${remedy(err)}`, 1);
}

/** Whether a state database is there; a directory this user may not look into is an error, not "nothing there". */
export function stateDbPresent(dir: string): boolean | StartError {
  try {
    return statSync(join(dir, 'state.db')).isFile();
  } catch (err) {
    const code = codeOf(err);
    if (code === 'ENOENT') return false;
    return readableStateError(dir, err);
  }
}

/** Why the nearest existing parent cannot take a new directory (recursive mkdir says ENOENT on a read-only disk). */
function ancestorProblem(dir: string): unknown {
  for (let p = dirname(resolve(dir)); ; p = dirname(p)) {
    if (existsSync(p)) {
      try { accessSync(p, constants.W_OK); return undefined; } catch (err) { return err; }
    }
    if (p === dirname(p)) return undefined;
  }
}

function kindOf(path: string): 'dir' | 'missing' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    return codeOf(err) === 'ENOTDIR' ? 'other' : 'missing';
  }
}

export function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'error';
}

function remedy(err: unknown): string {
  switch (codeOf(err)) {
    case 'EROFS':
    case 'SQLITE_READONLY':
      return 'the file system is read-only: put the state on a writable volume';
    case 'EACCES':
    case 'EPERM':
    case 'SQLITE_CANTOPEN':
      return 'run as the user that owns it (the one aflo-tail runs as), or give this user access';
    case 'ENOTDIR':
      return `a part of the path is a file: point ${SETTING} at a directory`;
    case 'ENOSPC':
      return 'the disk is full: free space, or point the setting at another volume';
    default:
      return `check ${SETTING}`;
  }
}
