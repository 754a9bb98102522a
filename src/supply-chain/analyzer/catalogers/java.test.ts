/**
 * The Java archive cataloger on jars from Maven Central (slf4j-api 1.7.30,
 * javax.inject 1), a jar made by the JDK's `jar` tool with a manifest only,
 * an EAR nesting a WAR nesting both jars (made with `jar`), and hostile
 * archives written by test/support/zip.ts: nesting past the depth limit, a
 * nested-jar bomb, too many entries, a too-big archive, lying sizes, garbage.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { DEFAULT_TEST_LIMITS, catalog, fixture, ids } from '../../../../test/support/catalogers.ts';
import { makeJar, makeZip } from '../../../../test/support/zip.ts';
import { IN_MEMORY_MAX, javaArchiveCataloger, parseArchiveFileName, parseManifest } from './java-archive.ts';

const LIB = '/opt/app/lib';

describe('java-archive', () => {
  it('a jar without pom.properties or manifest is named from its file (javax.inject-1.jar)', async () => {
    const r = await catalog(javaArchiveCataloger, `${LIB}/javax.inject-1.jar`, fixture('java', 'javax.inject-1.jar'));
    assert.deepEqual(ids(r.facts), ['javax.inject:javax.inject@1']);
    assert.equal(r.facts[0]!.location, undefined);
    assert.deepEqual(r.skipped, []);
  });

  it('manifest only: Implementation-Vendor-Id, -Version', async () => {
    const r = await catalog(javaArchiveCataloger, `${LIB}/plain-tool-2.3.4.jar`, fixture('java', 'plain-tool-2.3.4.jar'));
    assert.deepEqual(ids(r.facts), ['com.example:plain-tool@2.3.4']);
  });

  it('EAR → WAR → WEB-INF/lib jars, each with its location inside the archive', async () => {
    const r = await catalog(javaArchiveCataloger, '/srv/app.ear', fixture('java', 'app.ear'));
    assert.deepEqual(ids(r.facts), ['javax.inject:javax.inject@1', 'org.slf4j:slf4j-api@1.7.30']);
    assert.equal(r.facts.find((f) => f.name === 'org.slf4j:slf4j-api')!.location, '/srv/app.ear!/app.war!/WEB-INF/lib/slf4j-api-1.7.30.jar');
    assert.ok(r.facts.every((f) => f.type === 'maven'));
    assert.deepEqual(r.skipped, []);
  });

  it('a fat jar lists every pom.properties it carries', async () => {
    const fat = makeJar('com.acme', 'service', '1.0.0', [
      { name: 'META-INF/maven/com.google.guava/guava/pom.properties', data: 'groupId=com.google.guava\nartifactId=guava\nversion=20.0\n', deflate: true },
      { name: 'BOOT-INF/lib/jackson-databind-2.9.8.jar', data: makeJar('com.fasterxml.jackson.core', 'jackson-databind', '2.9.8') },
    ]);
    const r = await catalog(javaArchiveCataloger, '/app/service-1.0.0.jar', fat);
    assert.deepEqual(ids(r.facts), ['com.acme:service@1.0.0', 'com.fasterxml.jackson.core:jackson-databind@2.9.8', 'com.google.guava:guava@20.0']);
  });

  it('nesting deeper than maxArchiveDepth is skipped with a reason, shallower levels kept', async () => {
    let jar = makeJar('deep', 'level9', '9');
    for (let level = 8; level >= 0; level--) jar = makeJar('deep', `level${level}`, String(level), [{ name: `lib/level${level + 1}.jar`, data: jar }]);
    const r = await catalog(javaArchiveCataloger, '/a/level0.jar', jar, { ...DEFAULT_TEST_LIMITS, maxArchiveDepth: 3 });
    assert.deepEqual(ids(r.facts), ['deep:level0@0', 'deep:level1@1', 'deep:level2@2', 'deep:level3@3']);
    assert.equal(r.skipped.length, 1);
    assert.match(r.skipped[0]!.reason, /nested deeper than 3/);
    assert.match(r.skipped[0]!.path, /level3\.jar!\/lib\/level4\.jar$/);
  });

  it('a nested-jar bomb stops at the per-file budget', async () => {
    const inner = makeJar('bomb', 'inner', '1', [{ name: 'pad.bin', data: Buffer.alloc(400 * 1024) }]);
    const outer = makeZip(Array.from({ length: 40 }, (_, i) => ({ name: `lib/inner-${i}.jar`, data: inner, deflate: true })));
    const limits = { ...DEFAULT_TEST_LIMITS, maxArchiveBytes: 1024 * 1024 };
    const r = await catalog(javaArchiveCataloger, '/a/outer.jar', outer, limits);
    // 4 × 1 MiB of nested bytes: 10 inner jars of ~400 KiB are read (each a package at its own location), 30 skipped:
    // 20 reported one by one, the rest counted.
    assert.equal(r.facts.length, 10);
    assert.equal(r.skipped.filter((s) => /exceed 4194304 bytes in total/.test(s.reason)).length, 20);
    assert.deepEqual(r.skipped.at(-1), { path: '/a/outer.jar', reason: '10 more entries of this archive skipped (reasons as above)' });
    assert.equal(r.skipped.length, 21);
  });

  it('too many entries, a too-big archive, a nested archive over the limit', async () => {
    const many = makeZip(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' })));
    const r1 = await catalog(javaArchiveCataloger, '/a/many.jar', many, { ...DEFAULT_TEST_LIMITS, maxArchiveEntries: 10 });
    assert.match(r1.skipped[0]!.reason, /more than 10 entries/);
    const r2 = await catalog(javaArchiveCataloger, '/a/big.jar', many, { ...DEFAULT_TEST_LIMITS, maxArchiveBytes: 100 });
    assert.match(r2.skipped[0]!.reason, /larger than 100/);
    const nestedBig = makeZip([{ name: 'lib/big-1.0.jar', data: Buffer.alloc(5000), deflate: true }]);
    const r3 = await catalog(javaArchiveCataloger, '/a/n.jar', nestedBig, { ...DEFAULT_TEST_LIMITS, maxArchiveBytes: 4000 });
    assert.match(r3.skipped[0]!.reason, /nested archive of 5000 bytes is larger than 4000/);
  });

  it('garbage, a lying entry size and hostile entry names end in a reason, not a crash', async () => {
    const garbage = await catalog(javaArchiveCataloger, '/a/x.jar', Buffer.from('PK\x03\x04 not really a zip'));
    assert.match(garbage.skipped[0]!.reason, /unreadable archive/);
    const liar = makeZip([{ name: 'META-INF/MANIFEST.MF', data: 'Implementation-Version: 1\n'.repeat(1000), deflate: true, declaredSize: 10 }]);
    const lied = await catalog(javaArchiveCataloger, '/a/liar-1.0.jar', liar);
    assert.match(lied.skipped[0]!.reason, /unreadable archive/);
    const traversal = makeZip([{ name: '../../../etc/passwd', data: 'x' }, { name: '/abs/lib/a-1.0.jar', data: makeJar('g', 'a', '1.0') }]);
    const t = await catalog(javaArchiveCataloger, '/a/t.jar', traversal);
    assert.deepEqual(ids(t.facts), ['g:a@1.0']);
  });

  it('an archive over IN_MEMORY_MAX is read through a private temporary file, removed afterwards', async () => {
    const jarsBefore = readdirSync(tmpdir()).filter((n) => n.startsWith('berth-jar-')).length;
    const fat = makeJar('com.acme', 'big', '2.0.0', [
      { name: 'BOOT-INF/lib/log4j-core-2.14.1.jar', data: makeJar('org.apache.logging.log4j', 'log4j-core', '2.14.1') },
      { name: 'BOOT-INF/classes/padding.bin', data: Buffer.alloc(IN_MEMORY_MAX + 1024 * 1024) },
    ]);
    const r = await catalog(javaArchiveCataloger, '/app/big-2.0.0.jar', fat);
    assert.deepEqual(ids(r.facts), ['com.acme:big@2.0.0', 'org.apache.logging.log4j:log4j-core@2.14.1']);
    assert.equal(r.facts[1]!.location, '/app/big-2.0.0.jar!/BOOT-INF/lib/log4j-core-2.14.1.jar');
    assert.deepEqual(r.skipped, []);
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith('berth-jar-')).length, jarsBefore);
  });

  it('a stream longer than its declared size is cut at the limit (temporary file) or refused (memory)', async () => {
    const skipped: string[] = [];
    const ctx = { skip: (_p: string, reason: string) => skipped.push(reason), signal: new AbortController().signal, limits: { ...DEFAULT_TEST_LIMITS, maxArchiveBytes: IN_MEMORY_MAX + 2 } };
    const body = Buffer.alloc(IN_MEMORY_MAX + 1024);
    const big = await javaArchiveCataloger.scan({ path: '/a/x.jar', layer: 'l', size: IN_MEMORY_MAX + 1, mode: 0o644 }, Readable.from([body]), ctx);
    const small = await javaArchiveCataloger.scan({ path: '/a/y.jar', layer: 'l', size: 10, mode: 0o644 }, Readable.from([body]), ctx);
    assert.deepEqual([big, small], [[], []]);
    assert.deepEqual(skipped, [`archive larger than ${IN_MEMORY_MAX + 2} bytes`, `archive larger than its declared 10 bytes`]);
  });

  it('manifest-only jars: the version in the file name first, quotes dropped, the group from the vendor id, a telling module name, or the artifact', async () => {
    const jar = (manifest: string) => makeZip([{ name: 'META-INF/MANIFEST.MF', data: `Manifest-Version: 1.0\r\n${manifest}\r\n` }]);
    const cases: [string, string, string][] = [
      ['commons-beanutils-1.7.0.jar', 'Implementation-Version: 1.6', 'commons-beanutils:commons-beanutils@1.7.0'],
      ['digester.jar', 'Implementation-Version: "1.6"\r\nImplementation-Title: commons-digester', 'commons-digester:commons-digester@1.6'],
      ['slf4j-api-1.7.30.jar', 'Automatic-Module-Name: org.slf4j', 'org.slf4j:slf4j-api@1.7.30'],
      ['spring-core-5.3.17.jar', 'Automatic-Module-Name: spring.core', 'org.springframework:spring-core@5.3.17'],
      ['spring-boot-autoconfigure-2.6.4.jar', 'Implementation-Title: Spring Boot AutoConfigure', 'org.springframework.boot:spring-boot-autoconfigure@2.6.4'],
      ['spring-security-web-5.6.2.jar', '', 'org.springframework.security:spring-security-web@5.6.2'],
      ['xz-1.9.jar', 'Automatic-Module-Name: org.tukaani.xz', 'org.tukaani.xz:xz@1.9'],
      ['jsr305-3.0.2.jar', '', 'jsr305:jsr305@3.0.2'],
      ['tool-1.0.jar', 'Implementation-Vendor-Id: com.example\r\nAutomatic-Module-Name: org.other', 'com.example:tool@1.0'],
    ];
    for (const [file, manifest, expected] of cases) {
      assert.deepEqual(ids((await catalog(javaArchiveCataloger, `/lib/${file}`, jar(manifest))).facts), [expected], file);
    }
    assert.deepEqual((await catalog(javaArchiveCataloger, '/lib/app.war', jar('Created-By: 17'))).facts, []);
  });

  it('manifest continuation lines and file names', () => {
    const m = parseManifest('Manifest-Version: 1.0\r\nExport-Package: a;version=1,\r\n b;version=2\r\n\r\nName: x\r\nImplementation-Version: 9\r\n');
    assert.equal(m.get('Export-Package'), 'a;version=1,b;version=2');
    assert.equal(m.get('Implementation-Version'), undefined);
    assert.deepEqual(parseArchiveFileName('commons-lang3-3.12.0.jar'), { artifact: 'commons-lang3', version: '3.12.0' });
    assert.deepEqual(parseArchiveFileName('app.war'), { artifact: 'app' });
  });
});
