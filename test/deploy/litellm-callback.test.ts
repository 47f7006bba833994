// The LiteLLM side: the example callback's Python unit test passes, and the line it writes maps with aflo-tail.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../e2e/cli.js';
import { tempDir } from '../helpers.js';

const examples = join(import.meta.dirname, '../../examples/litellm');

describe('examples/litellm callback', () => {
  it('passes its Python unit test and writes a line aflo-tail maps', async () => {
    const dir = tempDir();
    const out = join(dir.path, 'line.jsonl');
    const py = spawnSync('python3', ['-m', 'unittest', '-v', 'test_aflo_tail_callback'], {
      cwd: examples, encoding: 'utf8', env: { ...process.env, AFLO_CALLBACK_OUT: out },
    });
    expect(py.status, py.stderr).toBe(0);
    const r = await run(['map', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/read=1 mapped=1/);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.find((e) => e.meterApiName === 'llm_text_tokens' && e.dimensions.type === 'out')?.meterValue).toBe(67);
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(2);
    dir.remove();
  });
});
