// Builds the native fast mapper (native/ → build/Release/fast_map.node) with npm's own node-gyp: configured once,
// then compiled again only where a source changed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

// npm tells its scripts where its node-gyp is; run by hand, the one beside this node's npm.
const gyp = process.env.npm_config_node_gyp ?? join(dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
const run = (...args) => spawnSync(process.execPath, [gyp, ...args], { stdio: 'inherit' }).status === 0;
// A changed binding.gyp (a source added, a flag) needs the Makefile made again.
const configured = existsSync('build/Makefile') && statSync('build/Makefile').mtimeMs >= statSync('binding.gyp').mtimeMs;
const ok = configured ? run('build') : run('rebuild');
process.exit(ok ? 0 : 1);
