/**
 * What a payload is made from: one webhook event with the facts every
 * format needs, resolved once by the delivery job (src/notify/deliver.ts).
 */
import type { WebhookEventType } from '../event-types.ts';

export interface ArtifactFacts {
  /** Full repository name, e.g. `team/app`. */
  repository: string;
  digest: string;
  /** The tag pushed, pulled or deleted, when there is one. */
  tag?: string | undefined;
  mediaType?: string | undefined;
  size?: number | undefined;
  /** Repository creation time, epoch ms (0 when the repository is gone). */
  repositoryCreatedAt: number;
  /** Whether the project is public (Harbor's repo_type). */
  public: boolean;
}

export interface ApplicationFacts {
  name: string;
  revision?: string | undefined;
  operationId?: string | undefined;
  message?: string | undefined;
  health?: { from: string; to: string } | undefined;
}

export interface NotificationEvent {
  /** The domain event's id (UUIDv7); receivers deduplicate on it. */
  id: string;
  type: WebhookEventType;
  /** Epoch ms. */
  occurredAt: number;
  operator: string;
  project: string;
  artifact?: ArtifactFacts | undefined;
  application?: ApplicationFacts | undefined;
}

/** Where the payload is going, for the links and names inside it. */
export interface PayloadContext {
  /** Berth's external URL, no trailing slash. */
  baseUrl: string;
  policyName: string;
}

export interface RenderedPayload {
  body: string;
  contentType: string;
}

/** `registry.example.com:5000` from the external URL: the name clients pull with. */
export function registryHost(baseUrl: string): string {
  return new URL(baseUrl).host;
}
