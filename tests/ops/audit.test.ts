/**
 * CI's dependency audit (.ci/audit.mjs): which findings of `npm audit --omit=dev --json` fail CI. The report below
 * has npm's shape (auditReportVersion 2): one advisory per `via` object, transitive paths as strings.
 */
import { describe, expect, it } from 'vitest';
import { judge } from '../../.ci/audit.mjs';

const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    'left-pad': { severity: 'high', via: [{ source: 1, name: 'left-pad', title: 'Prototype pollution', url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc', severity: 'high' }] },
    wrapper: { severity: 'high', via: ['left-pad'] },
    tiny: { severity: 'moderate', via: [{ source: 2, name: 'tiny', title: 'ReDoS', url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff', severity: 'moderate' }] },
    big: { severity: 'critical', via: [{ source: 3, name: 'big', title: 'RCE', url: 'https://github.com/advisories/GHSA-gggg-hhhh-iiii', severity: 'critical' }] },
  },
};

type Judged = { findings: { package: string; advisory: string }[]; expired: unknown[] };
const run = (exceptions: object[], today = '2026-12-03') => judge(report, exceptions, today) as Judged;

describe('dependency audit in CI', () => {
  it('fails on every high or critical advisory, not on moderate ones or on transitive paths', () => {
    const { findings, expired } = run([]);
    expect(findings.map((f) => `${f.package} ${f.advisory}`).sort()).toEqual(['big GHSA-gggg-hhhh-iiii', 'left-pad GHSA-aaaa-bbbb-cccc']);
    expect(expired).toEqual([]);
  });

  it('accepts a documented exception for that advisory and package until its review date', () => {
    const exception = { advisory: 'GHSA-aaaa-bbbb-cccc', package: 'left-pad', reason: 'only used at build time', review_by: '2027-01-31' };
    expect(run([exception]).findings.map((f) => f.package)).toEqual(['big']);
    const later = run([exception], '2027-02-01');
    expect(later.expired).toEqual([exception]);
    expect(later.findings.map((f) => f.package).sort()).toEqual(['big', 'left-pad']);
  });

  it('does not let an exception for one package cover the same advisory elsewhere', () => {
    expect(run([{ advisory: 'GHSA-gggg-hhhh-iiii', package: 'other', reason: 'x', review_by: '2099-01-01' }]).findings).toHaveLength(2);
  });
});
