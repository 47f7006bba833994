// config.example.env documents every setting and loads as it is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettingsFile } from '../../src/config/settings-file.js';
import { loadSettings } from '../../src/config/load.js';
import { SETTINGS } from '../../src/config/settings.js';
import { run } from '../e2e/cli.js';

const file = join(import.meta.dirname, '../../config.example.env');

describe('config.example.env', () => {
  const text = readFileSync(file, 'utf8');
  it('names every setting with its default', () => {
    for (const def of SETTINGS) {
      expect(text).toContain(`${def.env}=`);
      const d = typeof def.default === 'string' ? def.default : undefined;
      if (d) expect(text).toContain(`${def.env}=${d}`);
    }
  });

  it('gives the defaults when uncommented, and --settings-file loads it', async () => {
    const uncommented = text.replace(/^# ([A-Z_]+=)/gm, '$1');
    const r = loadSettings({ flags: {}, env: {}, settingsFile: parseSettingsFile(uncommented) });
    expect(r.ok).toBe(true);
    const cli = await run(['map', '--settings-file', file, '-'], {}, '');
    expect(cli.code).toBe(0);
  });
});
