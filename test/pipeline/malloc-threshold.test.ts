// The fixed mmap threshold (pipeline/malloc-threshold.ts) is set where glibc and the addon are, and nowhere else.
import { expect, it } from 'vitest';
import { fastMapAddon } from '../../src/mapping/fast-mapper.js';
import { fixMmapThreshold, MMAP_THRESHOLD_BYTES } from '../../src/pipeline/malloc-threshold.js';

it('fixes the threshold on glibc with the addon built; says so', () => {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  const glibc = header?.glibcVersionRuntime !== undefined;
  expect(fixMmapThreshold()).toBe(glibc && fastMapAddon() !== null);
  expect(MMAP_THRESHOLD_BYTES).toBe(1024 * 1024);
});
