// The repository stands alone: nothing points outside it, its license is there, and what the quick start and
// `npm pack` leave behind is ignored.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', 'build', '.git', 'data', 'coverage']);

function* textFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* textFiles(path);
    else if (/\.(md|ts|mjs|js|json|cc|h|env|service|yaml|py|gyp)$|^Dockerfile$|^run$/.test(name)) yield path;
  }
}

describe('the repository', () => {
  it('points nowhere outside itself', () => {
    const outside = [...textFiles(root)].filter((p) => !p.endsWith('repository.test.ts'))
      .filter((p) => /\.\.\/shared\b|notes\/toolchain\.md|spec\/(mapping|delivery|cli)\.md/.test(readFileSync(p, 'utf8')))
      .map((p) => relative(root, p));
    expect(outside).toEqual([]);
  });

  it('has the license package.json names, and ignores the quick start\'s output and npm pack\'s tarballs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string };
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toContain('Apache License\n                           Version 2.0');
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8').split('\n');
    for (const entry of ['/out/', '/state/', '*.tgz', 'node_modules/', 'dist/']) expect(ignored).toContain(entry);
  });
});
