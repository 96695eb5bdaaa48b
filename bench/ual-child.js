// Runs the compiled `contain analyze` on files and reports time, peak RSS, the findings (for comparing formats and
// checking against the plant) and how much context and attacker activity came out.
'use strict';
const path = require('node:path');
const { runAnalyze } = require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'analyze.js'));
(async () => {
  let out = '';
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const code = await runAnalyze(
    [...process.argv.slice(2), '--format', 'json'],
    (s) => (out += s),
    (s) => process.stderr.write(s),
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const result = JSON.parse(out);
  const a = result.attackerActivity;
  process.stdout.write(
    JSON.stringify({
      code,
      ms,
      cpuMs,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      records: result.records,
      findings: result.findings.map((f) => `${f.category}:${f.id}`).sort(),
      context: result.context.length,
      activity: { mailRead: a.mailRead.length, searches: a.searches.length, files: a.files.length, mailSent: a.mailSent.length },
      iocs: result.iocs,
    }) + '\n',
  );
})();
