#!/usr/bin/env node
// CI's dependency audit (issue 14): `npm audit --omit=dev` at high severity, minus the exceptions documented in
// .ci/audit-exceptions.json (advisory, package, reason, review_by). A finding not excepted, or an exception past its
// review date, fails CI. When the registry's audit endpoint cannot be reached (an offline mirror), CI says so loudly
// and goes on, unless AUDIT_REQUIRED=true (set it where the registry is reachable). docs/operations.md, "Dependencies".
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const rank = { info: 0, low: 1, moderate: 2, high: 3, critical: 4 };

/** The findings at or above `level` that no live exception covers, and the exceptions past their review date. */
export function judge(report, exceptions, today, level = 'high') {
  const expired = exceptions.filter((e) => !(typeof e.review_by === 'string' && e.review_by >= today));
  const live = exceptions.filter((e) => !expired.includes(e));
  const findings = [];
  for (const [pkg, vuln] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vuln.via ?? []) {
      // A string names another vulnerable package (a transitive path); that package has its own entry.
      if (typeof via !== 'object' || (rank[via.severity] ?? 0) < rank[level]) continue;
      const advisory = String(via.url ?? via.source ?? '').split('/').pop();
      const excepted = live.some((e) => e.advisory === advisory && (e.package === pkg || e.package === via.name));
      if (!excepted) findings.push({ package: pkg, advisory, severity: via.severity, title: via.title });
    }
  }
  return { findings, expired };
}

function main() {
  const exceptions = JSON.parse(readFileSync(new URL('./audit-exceptions.json', import.meta.url), 'utf8')).exceptions;
  const npm = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let report;
  try {
    report = JSON.parse(npm.stdout);
  } catch {
    report = null;
  }
  if (!report || report.error || !report.vulnerabilities) {
    const why = report?.message || report?.error?.summary || report?.error?.code || npm.stderr.trim().split('\n').find((l) => l.includes('audit')) || 'no report';
    process.stderr.write(`audit: NOT RUN, the registry's audit endpoint did not answer (${why})\n`);
    return process.env.AUDIT_REQUIRED === 'true' ? 1 : 0;
  }
  const { findings, expired } = judge(report, exceptions, new Date().toISOString().slice(0, 10));
  for (const f of findings) process.stderr.write(`audit: ${f.severity} ${f.package} ${f.advisory}: ${f.title}\n`);
  for (const e of expired) process.stderr.write(`audit: exception ${e.advisory} (${e.package}) is past its review date ${e.review_by}\n`);
  if (findings.length || expired.length) return 1;
  process.stdout.write(`audit: no high or critical advisory in production dependencies (${exceptions.length} documented exception(s))\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exit(main());
