import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDatabase } from '../platform/db/database.ts';
import { pino } from 'pino';
import { DomainEvents } from '../platform/events/bus.ts';
import { Jobs } from '../platform/jobs/platform.ts';
import { ProjectService } from './projects.ts';
import { RobotService } from './robots.ts';

const DAY = 86_400_000;
const allow = async () => true;

async function setup() {
  const db = await openDatabase('sqlite::memory:');
  await new ProjectService(db).create({ name: 'team', createdBy: 'admin' });
  return { db, robots: new RobotService(db) };
}

test('names, secrets, verification, disable and expiry', async () => {
  const { db, robots } = await setup();
  const { robot, secret } = await robots.create({ name: 'ci', level: 'project', duration: 2, permissions: [{ namespace: 'team', access: [{ resource: 'repository', action: 'pull' }] }] }, 'admin', allow);
  assert.equal(robot.name, 'robot$team+ci');
  assert.ok(robot.expiresAt! > Date.now() + DAY);
  assert.deepEqual(await robots.verify(robot.name, secret), { kind: 'robot', name: 'robot$team+ci', admin: false });
  assert.equal(await robots.verify(robot.name, `${secret}x`), undefined);
  assert.equal(await robots.verify(robot.name, secret, Date.now() + 3 * DAY), undefined, 'expired');
  await robots.update(robot.name, { disabled: true }, allow);
  assert.equal(await robots.verify(robot.name, secret), undefined, 'disabled');
  assert.deepEqual([...(await robots.permissionsOn(robot.name, 'team'))], ['repository:pull']);
  await db.destroy();
});

test('nobody grants more than they hold; project robots stay in their project', async () => {
  const { db, robots } = await setup();
  const onlyPull = async (_ns: string, p: string) => p === 'repository:pull';
  await assert.rejects(
    robots.create({ name: 'x', level: 'project', permissions: [{ namespace: 'team', access: [{ resource: 'repository', action: 'push' }] }] }, 'dev', onlyPull),
    /cannot grant repository:push/,
  );
  await assert.rejects(
    robots.create({ name: 'y', level: 'project', permissions: [{ namespace: 'team', access: [] }, { namespace: 'other', access: [] }] }, 'admin', allow),
    /exactly one permission set/,
  );
  await assert.rejects(robots.create({ name: 'z', level: 'system', permissions: [{ namespace: '*', access: [{ resource: 'repo', action: 'fly' }] }] }, 'admin', allow), /unknown permission/);
  await assert.rejects(robots.create({ name: 'Bad$Name', level: 'system', permissions: [{ namespace: '*', access: [{ resource: 'repository', action: 'pull' }] }] }, 'admin', allow), /invalid robot name/);
  await db.destroy();
});

test('expiry notices are recorded 7 days and 1 day ahead and at expiry, once each', async () => {
  const { db, robots } = await setup();
  const bus = new DomainEvents(db, new Jobs(db, { log: pino({ level: 'silent' }) }), { log: pino({ level: 'silent' }) });
  bus.on(['robot.expiring', 'robot.expired'], () => {});
  robots.events = bus;
  const { robot } = await robots.create({ name: 'soon', level: 'system', duration: 10, permissions: [{ namespace: '*', access: [{ resource: 'repository', action: 'pull' }] }] }, 'admin', allow);
  const t0 = Date.now();
  assert.equal(await robots.recordExpiryNotices(t0), 0, 'nothing 10 days ahead');
  assert.equal(await robots.recordExpiryNotices(t0 + 4 * DAY), 1, '6 days left: the 7-day notice');
  assert.equal(await robots.recordExpiryNotices(t0 + 5 * DAY), 0, 'recorded once');
  assert.equal(await robots.recordExpiryNotices(t0 + 9.5 * DAY), 1, 'the 1-day notice');
  assert.equal(await robots.recordExpiryNotices(t0 + 11 * DAY), 1, 'expired');
  const events = (await bus.list({})).filter((e) => e.type.startsWith('robot.expir') && 'robot' in e.data && e.data.robot === robot.name);
  assert.deepEqual(events.map((e) => [e.type, 'daysLeft' in e.data ? e.data.daysLeft : 0]).reverse(), [['robot.expiring', 7], ['robot.expiring', 1], ['robot.expired', 0]]);
  await robots.update(robot.name, { duration: 30 }, allow);
  assert.equal(await robots.recordExpiryNotices(t0 + 24 * DAY), 1, 'a renewed robot is noticed again');
  await db.destroy();
});
