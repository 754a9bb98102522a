import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advisoryCvss, cvssScore } from './cvss.ts';
import { highestSeverity, severityOfScore, summarize, vendorSeverity } from './severity.ts';
import { readOsvZip, vulndataDir } from './testing/osv-zip.ts';

// Scores checked against a second, independent implementation (Red Hat's `cvss` package for Python, 3.6).
const KNOWN: [string, string, number, string][] = [
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', '3.1', 9.8, 'Critical'],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', '3.1', 6.1, 'Medium'],
  ['CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', '3.0', 5.9, 'Medium'],
  ['CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N', '3.1', 0, 'Negligible'],
  ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C', '3.1', 9.8, 'Critical'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 9.3, 'Critical'],
  ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', '4.0', 8.5, 'High'],
  ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N', '4.0', 5.3, 'Medium'],
  ['CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:A/VC:L/VI:N/VA:H/SC:H/SI:L/SA:N', '4.0', 5.7, 'Medium'],
  ['AV:N/AC:L/Au:N/C:P/I:P/A:P', '2.0', 7.5, 'High'],
  ['AV:N/AC:M/Au:N/C:N/I:P/A:N', '2.0', 4.3, 'Medium'],
  ['AV:N/AC:L/Au:N/C:P/I:P/A:P/E:POC/RL:OF/RC:C', '2.0', 7.5, 'High'],
];

test('base scores and ratings of known vectors (v2, v3.0, v3.1, v4.0)', () => {
  for (const [vector, version, score, severity] of KNOWN) {
    const s = cvssScore(vector);
    assert.ok(s, vector);
    assert.equal(s.version, version, vector);
    assert.equal(s.score, score, vector);
    assert.equal(severityOfScore(s.score, s.version), severity, vector);
  }
});

test('malformed, incomplete or hostile vectors give no score and never throw', () => {
  const bad = [
    '',
    'CVSS:3.1/AV:N',
    'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q',
    'CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:9.9/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
    'CVSS:4.0/AV:N/AC:L/PR:N/UI:N/VC:H/VI:H/VA:H',
    'not a vector',
    'CVSS:3.1/' + 'AV:N/'.repeat(10_000),
  ];
  for (const v of bad) assert.equal(cvssScore(v), undefined, v.slice(0, 60));
});

test('ratings at the boundaries, per version', () => {
  assert.equal(severityOfScore(3.9, '3.1'), 'Low');
  assert.equal(severityOfScore(4.0, '3.1'), 'Medium');
  assert.equal(severityOfScore(6.9, '4.0'), 'Medium');
  assert.equal(severityOfScore(7.0, '3.0'), 'High');
  assert.equal(severityOfScore(8.9, '3.1'), 'High');
  assert.equal(severityOfScore(9.0, '3.1'), 'Critical');
  assert.equal(severityOfScore(10, '2.0'), 'High');
  assert.equal(severityOfScore(0.1, '3.1'), 'Low');
  assert.equal(severityOfScore(Number.NaN, '3.1'), 'Unknown');
});

test('vendor words, the highest severity and the summary', () => {
  assert.equal(vendorSeverity('unimportant'), 'Negligible');
  assert.equal(vendorSeverity('MODERATE'), 'Medium');
  assert.equal(vendorSeverity('Important'), 'High');
  assert.equal(vendorSeverity('not yet assigned'), 'Unknown');
  assert.equal(vendorSeverity(undefined), 'Unknown');
  assert.equal(highestSeverity(['Low', undefined, 'High', 'Medium']), 'High');
  assert.equal(highestSeverity([]), 'Unknown');
  assert.deepEqual(summarize([{ severity: 'High' }, { severity: 'High' }, { severity: 'Low' }]), {
    Unknown: 0,
    Negligible: 0,
    Low: 1,
    Medium: 0,
    High: 2,
    Critical: 0,
  });
});

test('the vector shown prefers v3.1, then v3.0, v4.0, v2', () => {
  const got = advisoryCvss([
    { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
    { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N' },
    { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N' },
  ]);
  assert.equal(got.shown?.version, '3.1');
  assert.equal(got.all.length, 3);
});

test('every CVSS vector in the real PyPI advisories scores (202 vectors, 59 distinct)', async (t) => {
  const dir = vulndataDir();
  if (!dir) {
    if (process.env['CI'] === 'true') assert.fail('shared/vulndata not found (required under CI=true)');
    t.skip('shared/vulndata not found');
    return;
  }
  const records = await readOsvZip(`${dir}/osv/PyPI/all.zip`);
  const vectors = records.flatMap((r) => (r.severity ?? []).map((s) => s.score));
  assert.equal(vectors.length, 202);
  const counts = new Map<string, number>();
  for (const v of vectors) {
    const s = cvssScore(v);
    assert.ok(s, `${v} scores`);
    const sev = severityOfScore(s.score, s.version);
    counts.set(sev, (counts.get(sev) ?? 0) + 1);
  }
  t.diagnostic(`severities: ${JSON.stringify(Object.fromEntries(counts))}`);
});
