// The baseline: a bare Node read stream, split on newlines, JSON.parse each line, no other work.
import { createReadStream } from 'node:fs';

let pending = '';
let lines = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 16 })) {
  const parts = (pending + chunk).split('\n');
  pending = parts.pop();
  for (const p of parts) {
    if (p) { JSON.parse(p); lines++; }
  }
}
if (pending) { JSON.parse(pending); lines++; }
process.stderr.write(`bare lines=${lines}\n`);
