/**
 * Polling sees every commit pushed before the poll began, on the real
 * engine: two applications of one repository poll 5 s apart (interval 10 s,
 * no jitter); a commit pushed right after the first one's poll fetched must
 * be seen by the second one's poll, not one interval later (issue 8: a poll
 * reused any fetch younger than the interval, so commits came up to two
 * intervals late).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessKubePeers } from '../support/kube-cluster.ts';
import { application, startDeliveryWorld, until, yamlDocs, type DeliveryWorld } from '../support/gitops.ts';

const skip = skipUnlessKubePeers();

interface Status {
  sync: { status: string; revision?: string };
  reconciledAt: number;
}

describe('polling on the real engine', { skip }, () => {
  let w: DeliveryWorld;
  before(async () => {
    w = await startDeliveryWorld({ env: { BERTH_GITOPS_RECONCILE_SECONDS: '10', BERTH_GITOPS_JITTER_SECONDS: '0' } });
  });
  after(async () => {
    await w?.stop();
  });
  const status = async (app: string) => (await w.api<{ status?: Status }>('GET', `/applications/${app}`)).body.status;
  const cm = (v: string) => yamlDocs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'polled' }, data: { v } });

  test('a poll sees a commit pushed after another application\'s poll fetched the same repository', async () => {
    const first = await w.git.createRepo('polled', { 'p/cm.yaml': cm('1') });
    assert.equal((await w.api('POST', '/applications', application('poll-b', { repo: 'polled', path: 'p', namespace: 'poll-b' }, w))).status, 201);
    await until('poll-b compared', async () => (await status('poll-b'))?.sync.revision === first);
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await w.api('POST', '/applications', application('poll-a', { repo: 'polled', path: 'p', namespace: 'poll-a' }, w))).status, 201);
    await until('poll-a compared', async () => (await status('poll-a'))?.sync.revision === first);

    // poll-b's next poll fetches the repository; the commit lands right after it.
    const before = (await status('poll-b'))!.reconciledAt;
    await until('poll-b polled', async () => (await status('poll-b'))!.reconciledAt > before, 20_000, 50);
    const second = await w.git.commit('polled', { 'p/cm.yaml': cm('2') }, 'two');
    const pushedAt = Date.now();

    // poll-a polls about 5 s later, well within one interval of poll-b's fetch: it must fetch again.
    const a = await until('poll-a polled after the push', async () => {
      const s = await status('poll-a');
      return s && s.reconciledAt > pushedAt ? s : undefined;
    }, 20_000, 50);
    assert.equal(a.sync.revision, second, `poll-a's first poll after the push (${a.reconciledAt - pushedAt} ms later) resolved the new commit`);
  });
});
