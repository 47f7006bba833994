// Rows as a table (numbers right-aligned), CSV (RFC 4180 quoting) and JSON.
import { expect, it } from 'vitest';
import { csv, formatRows, table } from '../../src/util/tabular.js';

const rows = [{ model: 'gpt-4o', read: 12 }, { model: 'a "big", model\nv2', read: 1.5 }];

it('quotes a CSV cell with a comma, quote or line break, doubling its quotes', () => {
  expect(csv(['model', 'read'], rows)).toBe('model,read\ngpt-4o,12\n"a ""big"", model\nv2",1.5\n');
});

it('right-aligns numeric columns in a table and leaves text to the left', () => {
  expect(table(['model', 'read'], [{ model: 'gpt-4o', read: 12 }, { model: 'x', read: 1.5 }])).toBe(
    'model   read\n------  ----\ngpt-4o    12\nx        1.5\n');
});

it('gives JSON as the rows themselves', () => {
  expect(JSON.parse(formatRows(['model', 'read'], rows, 'json'))).toEqual(rows);
});
