import { DomainError, type DomainErrorKind } from '../../core/errors.ts';

/** Why a render failed, for callers that react differently (e.g. retry on `timeout`). */
export type RenderErrorCode =
  | 'invalid-source' // the source or the tree is not renderable as asked (bad path, bad manifest, escaping symlink, …)
  | 'not-installed' // kustomize or helm is missing
  | 'tool-failed' // the tool exited non-zero
  | 'timeout' // the tool ran longer than timeoutMs and was killed
  | 'output-limit'; // the output grew past maxOutputBytes and the tool was killed

/** The source's fault is `invalid`; a missing or overrun tool is `unavailable`. */
const KIND: Record<RenderErrorCode, DomainErrorKind> = {
  'invalid-source': 'invalid',
  'not-installed': 'unavailable',
  'tool-failed': 'invalid',
  timeout: 'unavailable',
  'output-limit': 'invalid',
};

/** A render failure with a message meant for users (shown as an application condition); a DomainError. */
export class RenderError extends DomainError {
  readonly code: RenderErrorCode;

  constructor(message: string, options: { code?: RenderErrorCode; cause?: unknown } = {}) {
    const code = options.code ?? 'invalid-source';
    super(KIND[code], message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'RenderError';
    this.code = code;
  }
}
