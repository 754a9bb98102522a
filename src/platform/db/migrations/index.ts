/**
 * Every migration, in order. Listed in code so they ship with the source and
 * run at start; each file exports `up` (and `down`).
 */
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001-registry.ts';
import * as m0002 from './0002-access.ts';
import * as m0003 from './0003-audit.ts';
import * as m0004 from './0004-oidc.ts';
import * as m0005 from './0005-gitops.ts';
import * as m0006 from './0006-jobs.ts';
import * as m0007 from './0007-leases.ts';
import * as m0008 from './0008-webhooks.ts';
import * as m0009 from './0009-login-throttle.ts';
import * as m0010 from './0010-artifacts.ts';
import * as m0011 from './0011-delivery-list.ts';
import * as m0012 from './0012-sealed-credentials.ts';
import * as m0013 from './0013-vulndb.ts';

export const migrations: Record<string, Migration> = {
  '0001-registry': m0001,
  '0002-access': m0002,
  '0003-audit': m0003,
  '0004-oidc': m0004,
  '0005-gitops': m0005,
  '0006-jobs': m0006,
  '0007-leases': m0007,
  '0008-webhooks': m0008,
  '0009-login-throttle': m0009,
  '0010-artifacts': m0010,
  '0011-delivery-list': m0011,
  '0012-sealed-credentials': m0012,
  '0013-vulndb': m0013,
};
