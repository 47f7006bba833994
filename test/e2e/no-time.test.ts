// Entries without a time (some SpendLogs rows, minimal payloads) are stamped with the time their file was first
// seen, kept with its checkpoint: the same bytes read again (a lost commit, a state restored) give the same events.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { run } from './cli.js';
import { delivered, fastEnv, useWorkspace } from './harness.js';

const ws = useWorkspace();
let state: string, out: string, logs: string;
beforeEach(() => ({ state, out, logs } = ws));

const timeless = (id: string) => JSON.stringify({ request_id: id, call_type: 'acompletion', status: 'success', model: 'gpt-4o',
  custom_llm_provider: 'openai', prompt_tokens: 12, completion_tokens: 7 });

describe('entries without a time', () => {
  it('a re-read of the same bytes from the same checkpoint record gives byte-identical events', async () => {
    const log = join(logs, 'spend.jsonl');
    writeFileSync(log, ['t1', 't2', 't3'].map(timeless).join('\n') + '\n');
    expect((await run(['--once', log], fastEnv(state, out))).code).toBe(0);
    const first = new Set(delivered(out));
    expect(first.size).toBe(9);
    // The checkpoint is lost (as a commit rolled back by a power loss would leave it): the file is read again.
    await new Promise((r) => setTimeout(r, 50));
    const db = new Database(join(state, 'state.db'));
    db.prepare('UPDATE files SET offset = 0').run();
    db.close();
    expect((await run(['--once', log], fastEnv(state, out))).code).toBe(0);
    expect(new Set(delivered(out))).toEqual(first);
  });
});
