// A problem that stops a command at start: one line naming the setting or path and what to do, and the exit code.

/** `code` 2: the setting itself is wrong (bad usage or configuration); 1: the environment (access, a busy port). */
export class StartError extends Error {
  constructor(message: string, readonly code: 1 | 2) { super(message); }
}
