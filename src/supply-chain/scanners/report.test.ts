/** Findings ⇄ the spec's vulnerability report, and the spec's MIME helpers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../types.ts';
import { fromHarborReport, highestSeverity, packageTypeOf, toHarborReport } from './report.ts';
import { mimeBase, mimeVersion, sameMime, ScannerMime, vulnerabilityReportSchema } from './spec.ts';

const findings: Finding[] = [
  {
    id: 'CVE-2020-1967',
    aliases: ['DSA-4661-1'],
    packageType: 'apk',
    package: 'libssl1.1',
    installedVersion: '1.1.1d-r3',
    fixedVersion: '1.1.1g-r0',
    status: 'affected',
    severity: 'High',
    cvss: { version: '3.1', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
    summary: 'Segmentation fault in SSL_check_chain',
    links: ['https://www.openssl.org/news/secadv/20200421.txt'],
    purl: 'pkg:apk/alpine/libssl1.1@1.1.1d-r3?arch=x86_64&distro=alpine-3.11.6',
    layer: 'sha256:' + 'a'.repeat(64),
    location: '/lib/apk/db/installed',
    sources: ['alpine-secdb'],
  },
  {
    id: 'GHSA-xxxx-yyyy-zzzz',
    aliases: [],
    packageType: 'golang',
    package: 'golang.org/x/net',
    installedVersion: 'v0.0.1',
    status: 'will_not_fix',
    severity: 'Critical',
    cvss: { version: '4.0', score: 9.3, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    links: [],
    purl: 'pkg:golang/golang.org/x/net@v0.0.1',
    layer: 'sha256:' + 'b'.repeat(64),
    location: '/usr/bin/app',
    sources: ['osv-Go'],
  },
];

test('a Berth report read by a Berth loses nothing', () => {
  const report = toHarborReport(findings, { artifact: { repository: 'a/b', digest: 'sha256:' + 'c'.repeat(64) }, scanner: { name: 'Berth', vendor: 'Berth', version: '1' }, generatedAt: '2026-01-01T00:00:00Z' });
  assert.equal(report.severity, 'Critical');
  assert.deepEqual(report.vulnerabilities[0]!.preferred_cvss, { score_v3: 7.5, vector_v3: findings[0]!.cvss!.vector });
  assert.equal(report.vulnerabilities[1]!.preferred_cvss, undefined, 'the spec has no CVSS v4 field: kept in vendor_attributes');
  const wire = JSON.parse(JSON.stringify(report)) as unknown;
  const parsed = vulnerabilityReportSchema.parse(wire);
  assert.deepEqual(fromHarborReport(parsed, 'scanner:x'), findings);
});

test("another adapter's report (Trivy's shape): spec fields mapped, type from the name, source named after the scanner", () => {
  const parsed = vulnerabilityReportSchema.parse({
    generated_at: '2026-01-01T00:00:00Z',
    severity: 'Medium',
    vulnerabilities: [
      { id: 'CVE-2019-1549', package: 'openssl', version: '1.1.1c-1', fix_version: '1.1.1d-0+deb10u1', severity: 'Medium', links: ['https://x'], preferred_cvss: { score_v3: 5.3, vector_v3: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N' }, layer: { digest: 'sha256:' + 'd'.repeat(64) } },
      { id: 'CVE-2021-44228', package: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', severity: 'Critical', vendor_attributes: { CVSS: { nvd: { V3Score: 10 } } } },
    ],
  });
  const [deb, jar] = fromHarborReport(parsed, 'scanner:trivy');
  assert.equal(deb!.packageType, 'deb');
  assert.equal(deb!.fixedVersion, '1.1.1d-0+deb10u1');
  assert.deepEqual(deb!.cvss, { version: '3.0', score: 5.3, vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N' });
  assert.deepEqual(deb!.sources, ['scanner:trivy']);
  assert.equal(deb!.status, 'affected');
  assert.equal(jar!.packageType, 'maven');
  assert.equal(jar!.cvss, undefined);
});

test('package type: declared, purl, then the shape of the name', () => {
  assert.equal(packageTypeOf('x', undefined, 'pypi'), 'pypi');
  assert.equal(packageTypeOf('x', 'pkg:cargo/x@1', undefined), 'cargo');
  assert.equal(packageTypeOf('@babel/core', undefined, undefined), 'npm');
  assert.equal(packageTypeOf('github.com/a/b', undefined, undefined), 'golang');
  assert.equal(packageTypeOf('bash', 'not a purl', 'no-such-type'), 'deb');
});

test('severity and MIME helpers', () => {
  assert.equal(highestSeverity([]), undefined);
  assert.equal(highestSeverity([{ severity: 'Low' }, { severity: 'Negligible' }]), 'Low');
  assert.equal(mimeBase('Application/Vnd.Security.Vulnerability.Report; version=1.1'), 'application/vnd.security.vulnerability.report');
  assert.equal(mimeVersion('application/x; version="1.1"; charset=utf-8'), '1.1');
  assert.ok(sameMime('application/vnd.security.vulnerability.report;version="1.1"', ScannerMime.vulnReport));
  assert.ok(!sameMime(ScannerMime.vulnReportHarbor, ScannerMime.vulnReport));
});

test('purls made for items without one follow each type', () => {
  const parsed = vulnerabilityReportSchema.parse({
    vulnerabilities: [
      { id: 'A', package: 'org.apache.logging.log4j:log4j-core', version: '2.14.1', severity: 'High' },
      { id: 'B', package: '@babel/core', version: '7.0.0', severity: 'Low' },
      { id: 'C', package: 'golang.org/x/net', version: 'v0.1.0', severity: 'Low' },
      { id: 'D', package: 'bash', version: '5.0-4', severity: 'Low' },
    ],
  });
  assert.deepEqual(fromHarborReport(parsed, 's').map((f) => f.purl), ['pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', 'pkg:npm/%40babel/core@7.0.0', 'pkg:golang/golang.org/x/net@v0.1.0', 'pkg:deb/bash@5.0-4']);
});
