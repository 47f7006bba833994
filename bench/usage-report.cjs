// Preloaded into benchmarked processes: writes CPU time and peak RSS to $AFLO_BENCH_USAGE at exit.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  const file = process.env.AFLO_BENCH_USAGE;
  if (!file) return;
  const u = process.resourceUsage();
  writeFileSync(file, JSON.stringify({ cpu: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssMB: u.maxRSS / 1024 }));
});
