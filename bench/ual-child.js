// Runs the compiled `contain analyze` on files and reports time, peak RSS and the findings (for comparing sizes).
'use strict';
const path = require('node:path');
const { runAnalyze } = require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'analyze.js'));
(async () => {
  let out = '';
  const t0 = process.hrtime.bigint();
  const code = await runAnalyze([...process.argv.slice(2), '--format', 'json'], (s) => (out += s), (s) => process.stderr.write(s));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const result = JSON.parse(out);
  process.stdout.write(JSON.stringify({ code, ms, maxRssMb: process.resourceUsage().maxRSS / 1024, records: result.records, findings: result.findings.map((f) => `${f.category}:${f.id}`).sort(), iocs: result.iocs }) + '\n');
})();
