/**
 * The database layer on SQLite and PostgreSQL: migrations, value types,
 * upserts, byte-order listings and concurrent transactions behave the same.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { testDatabases } from '../../../test/support/databases.ts';
import { Registry } from '../../registry/registry.ts';
import { ensureRepository } from '../../registry/metadata.ts';
import { FilesystemStorage } from '../../storage/filesystem.ts';
import { openDatabase } from './database.ts';
import { migrations } from './migrations/index.ts';
import type { Db } from './schema.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

async function addManifest(db: Db, repository: string, digest = DIGEST): Promise<void> {
  await ensureRepository(db, repository);
  await db
    .insertInto('manifests')
    .values({ repository, digest, media_type: 'application/vnd.oci.image.manifest.v1+json', size: 2, content: new Uint8Array([123, 125]), artifact_type: null, subject_digest: null, annotations: null, created_at: Date.now() })
    .onConflict((oc) => oc.columns(['repository', 'digest']).doNothing())
    .execute();
}

for (const kind of await testDatabases()) {
  describe(`database on ${kind.name}`, { skip: kind.skip }, () => {
    let dir: string;
    let url: string;
    let db: Db;

    before(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'berth-db-test-'));
      url = await kind.createUrl(dir);
      db = await openDatabase(url);
    });
    after(async () => {
      await db?.destroy();
      await rm(dir, { recursive: true, force: true });
    });

    test('migrations apply once; opening again changes nothing', async () => {
      const applied = async () => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name);
      const first = await applied();
      assert.deepEqual(first, Object.keys(migrations).sort());
      const again = await openDatabase(url);
      try {
        assert.deepEqual((await sql<{ name: string }>`select name from kysely_migration order by name`.execute(again)).rows.map((r) => r.name), first);
      } finally {
        await again.destroy();
      }
      assert.deepEqual(await applied(), first);
    });

    test('BIGINT and NUMERIC come back as numbers, bytes as bytes', async () => {
      const big = Number.MAX_SAFE_INTEGER;
      const digest = `sha256:${'b'.repeat(64)}`;
      await db.insertInto('blobs').values({ digest, size: big, created_at: 1_700_000_000_123 }).execute();
      const row = await db.selectFrom('blobs').selectAll().where('digest', '=', digest).executeTakeFirstOrThrow();
      assert.equal(row.size, big);
      assert.equal(row.created_at, 1_700_000_000_123);

      const { count } = await db.selectFrom('blobs').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      assert.equal(typeof count, 'number');
      const { total } = await db
        .selectFrom('blobs')
        .select((eb) => eb.fn.sum<number>('size').as('total'))
        .where('digest', '=', digest)
        .executeTakeFirstOrThrow();
      assert.equal(total, big);

      const bytes = new Uint8Array(256).map((_, i) => i);
      await ensureRepository(db, 'types/bytes');
      await db
        .insertInto('manifests')
        .values({ repository: 'types/bytes', digest, media_type: 'x', size: bytes.length, content: bytes, artifact_type: null, subject_digest: null, annotations: null, created_at: 1 })
        .execute();
      const m = await db.selectFrom('manifests').select(['content', 'size']).where('repository', '=', 'types/bytes').executeTakeFirstOrThrow();
      assert.ok(m.content instanceof Uint8Array);
      assert.deepEqual(Buffer.from(m.content), Buffer.from(bytes));
      assert.equal(m.size, 256);
    });

    test('upserts: do-nothing reports 0 rows, do-update replaces', async () => {
      const insert = () =>
        db
          .insertInto('repositories')
          .values({ name: 'upsert/app', created_at: 1 })
          .onConflict((oc) => oc.column('name').doNothing())
          .executeTakeFirst();
      assert.equal(Number((await insert()).numInsertedOrUpdatedRows), 1);
      assert.equal(Number((await insert()).numInsertedOrUpdatedRows ?? 0n), 0);

      const other = `sha256:${'c'.repeat(64)}`;
      await addManifest(db, 'upsert/app');
      await addManifest(db, 'upsert/app', other);
      const tag = (digest: string, now: number) =>
        db
          .insertInto('tags')
          .values({ repository: 'upsert/app', name: 'latest', digest, updated_at: now })
          .onConflict((oc) => oc.columns(['repository', 'name']).doUpdateSet({ digest, updated_at: now }))
          .execute();
      await tag(DIGEST, 1);
      await tag(other, 2);
      const rows = await db.selectFrom('tags').selectAll().where('repository', '=', 'upsert/app').execute();
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ repository: 'upsert/app', name: 'latest', digest: other, updated_at: 2 }]);
    });

    test('tags and repositories list and paginate in byte order', async () => {
      const storage = await FilesystemStorage.open({ root: path.join(dir, 'storage'), fsync: false });
      const registry = new Registry(db, storage, { catalogPageSize: 1000 });
      // A linguistic collation sorts these case- and punctuation-insensitively.
      const tags = ['B', 'a', 'A', 'a-b', 'a_b', 'ab', 'a.b', 'Z9', '_x', '0', 'aB', 'b'];
      await addManifest(db, 'order/app');
      for (const t of tags) await db.insertInto('tags').values({ repository: 'order/app', name: t, digest: DIGEST, updated_at: 1 }).execute();
      const expected = [...tags].sort();
      assert.deepEqual((await registry.listTags('order/app', { n: undefined, last: undefined })).items, expected);
      const paged: string[] = [];
      let last: string | undefined;
      for (;;) {
        const page = await registry.listTags('order/app', { n: 5, last });
        paged.push(...page.items);
        if (!page.more) break;
        last = page.items.at(-1);
      }
      assert.deepEqual(paged, expected);

      const repos = ['ord/a-b', 'ord/a_b', 'ord/ab', 'ord/a.b', 'ord/a/b', 'ord/a0', 'ord/b'];
      for (const r of repos) await ensureRepository(db, r);
      const catalog: string[] = [];
      last = 'ord/';
      for (;;) {
        const page = await registry.catalog({ n: 2, last });
        catalog.push(...page.items);
        if (!page.more || !page.items.at(-1)?.startsWith('ord/')) break;
        last = page.items.at(-1);
      }
      assert.deepEqual(catalog.filter((r) => r.startsWith('ord/')), [...repos].sort());
    });

    test('50 concurrent transactions: each sees its own writes, failures roll back', async () => {
      const seen = await Promise.allSettled(
        Array.from({ length: 50 }, (_, i) =>
          db.transaction().execute(async (trx) => {
            const name = `conc/r${String(i).padStart(2, '0')}`;
            await trx.insertInto('repositories').values({ name, created_at: i }).execute();
            await new Promise((r) => setImmediate(r));
            const own = await trx.selectFrom('repositories').select('created_at').where('name', '=', name).executeTakeFirst();
            assert.equal(own?.created_at, i);
            const { n } = await trx
              .selectFrom('repositories')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('name', 'like', 'conc/%')
              .executeTakeFirstOrThrow();
            if (i % 2 === 1) throw new Error('roll back');
            return n;
          }),
        ),
      );
      const ok = seen.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
      const failed = seen.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
      assert.equal(ok.length, 25);
      assert.ok(failed.every((e) => e.message === 'roll back'), failed.map((e) => e.message).join('; '));
      const names = (await db.selectFrom('repositories').select('name').where('name', 'like', 'conc/%').orderBy('name').execute()).map((r) => r.name);
      assert.deepEqual(names, Array.from({ length: 25 }, (_, k) => `conc/r${String(2 * k).padStart(2, '0')}`));
      if (kind.name === 'sqlite') {
        // Serialised: a transaction sees exactly the committed ones before it
        // plus its own row, never another's uncommitted row.
        assert.ok(ok.every((n) => n >= 1 && n <= 25));
        assert.equal(new Set(ok).size, 25);
      }
    });

    // Pool size and collations exist on PostgreSQL only: defined there only.
    if (kind.name === 'postgres') test('JIT is off on every pooled connection (it cost 314 ms of a 364 ms artifact count)', async () => {
      // Several at once, so more than one connection of the pool answers.
      const answers = await Promise.all(Array.from({ length: 5 }, () => db.transaction().execute(async (trx) => (await sql<{ jit: string }>`show jit`.execute(trx)).rows[0]!.jit)));
      assert.deepEqual(answers, ['off', 'off', 'off', 'off', 'off']);
    });

    if (kind.name === 'postgres') test('a small pool queues transactions instead of failing', async () => {
      const small = await openDatabase(url, { poolSize: 2 });
      try {
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            small.transaction().execute(async (trx) => {
              await trx.insertInto('repositories').values({ name: `pool/r${i}`, created_at: i }).execute();
              return (await trx.selectFrom('repositories').select('name').where('name', '=', `pool/r${i}`).executeTakeFirst())?.name;
            }),
          ),
        );
        assert.equal(results.filter(Boolean).length, 20);
      } finally {
        await small.destroy();
      }
    });

    if (kind.name === 'postgres') test('repository names, tags and digests use the C collation', async () => {
      const rows = (
        await sql<{ table_name: string; column_name: string; collation_name: string | null }>`
          select table_name, column_name, collation_name from information_schema.columns
          where table_schema = current_schema() and table_name in ('repositories', 'tags', 'manifests', 'repository_blobs')
            and column_name in ('name', 'repository', 'digest')`.execute(db)
      ).rows;
      assert.ok(rows.length >= 7);
      for (const r of rows) assert.equal(r.collation_name, 'C', `${r.table_name}.${r.column_name}`);
    });
  });
}
