/** The access services, built once in main.ts and handed to the HTTP edge. */
import type { Db } from '../platform/db/schema.ts';
import { NO_AUDIT } from '../audit/audited.ts';
import type { AuditRecorder } from '../audit/types.ts';
import { ApiTokenService } from './api-tokens.ts';
import type { Principal } from './principal.ts';
import { RbacAuthorizer } from './authorizer.ts';
import { Identity } from './identity.ts';
import { ProjectService } from './projects.ts';
import { RobotService } from './robots.ts';
import { SettingsService } from './settings.ts';
import { LoginThrottle } from './throttle.ts';
import type { TokenService } from './tokens.ts';
import { UserService } from './users.ts';

/** Browser sessions (OIDC sign-in) resolve to principals through this. */
export interface SessionResolver {
  principalOf(req: { headers: Record<string, string | string[] | undefined> }): Promise<Principal | undefined>;
}

export interface AccessServices {
  users: UserService;
  projects: ProjectService;
  robots: RobotService;
  apiTokens: ApiTokenService;
  identity: Identity;
  authorizer: RbacAuthorizer;
  settings: SettingsService;
  tokens: TokenService;
  audit: AuditRecorder;
  sessions?: SessionResolver;
}

export function createAccessServices(db: Db, tokens: TokenService, options: { anonymousPull: boolean; audit?: AuditRecorder }): AccessServices {
  const audit = options.audit ?? NO_AUDIT;
  const users = new UserService(db, audit);
  const projects = new ProjectService(db, audit);
  const robots = new RobotService(db, audit);
  const apiTokens = new ApiTokenService(db, audit);
  const identity = new Identity(users, robots, apiTokens, new LoginThrottle());
  const authorizer = new RbacAuthorizer(projects, robots, { anonymousPull: options.anonymousPull });
  identity.audit = audit;
  // A change to who-can-do-what drops cached decisions in this process.
  // Cached password checks survive: only user changes (which drop them
  // themselves) affect them, and a full scrypt per request is what they save.
  projects.onChange = () => authorizer.invalidate();
  const accountsChanged = () => {
    authorizer.invalidate();
    identity.invalidateAccounts();
  };
  robots.onChange = accountsChanged;
  apiTokens.onChange = accountsChanged;
  return { users, projects, robots, apiTokens, identity, authorizer, settings: new SettingsService(db, audit), tokens, audit };
}
