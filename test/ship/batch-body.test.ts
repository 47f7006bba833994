// Where batch bodies are cut: a record that is not valid JSON is left out and returned, the body stays readable.
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildBatch } from '../../src/ship/batch-body.js';
import { slabFrom } from '../../src/state/slab.js';

const rec = (id: string, value: string, model = 'gpt-4o') =>
  Buffer.from(`{"uniqueId":"${id}","meterApiName":"llm_requests","meterValue":${value},"meterTimeInMillis":1700000000000,"dimensions":{"model":"${model}"}}`);

describe('buildBatch', () => {
  it('leaves out records holding a bare Infinity or NaN and keeps the body valid JSON', () => {
    const b = buildBatch([slabFrom([rec('a', '1'), rec('b', 'Infinity'), rec('c', '-Infinity'), rec('d', 'NaN'), rec('e', '2')])], 1700000000000, 'p');
    expect(b.refused?.map((r) => JSON.parse(JSON.stringify(r.toString())))).toHaveLength(3);
    const body = JSON.parse(gunzipSync(b.body).toString()) as { uniqueId: string }[];
    expect(body.map((r) => r.uniqueId)).toEqual(['a', 'e']);
  });

  it('text that only looks like a non-finite number is kept (model names, dimension values)', () => {
    const b = buildBatch([slabFrom([rec('a', '1', 'Llama-Instruct:NaN'), rec('b', '3', '-Infinity'), rec('c', '4', 'Nova')])], 1700000000000, 'p');
    expect(b.refused).toBeUndefined();
    expect((JSON.parse(gunzipSync(b.body).toString()) as unknown[]).length).toBe(3);
  });
});
