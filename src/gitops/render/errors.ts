/** Why a render failed, for callers that react differently (e.g. retry on `timeout`). */
export type RenderErrorCode =
  | 'invalid-source' // the source or the tree is not renderable as asked (bad path, bad manifest, escaping symlink, …)
  | 'not-installed' // kustomize or helm is missing
  | 'tool-failed' // the tool exited non-zero
  | 'timeout' // the tool ran longer than timeoutMs and was killed
  | 'output-limit'; // the output grew past maxOutputBytes and the tool was killed

/** A render failure with a message meant for users (shown as an application condition). */
export class RenderError extends Error {
  readonly code: RenderErrorCode;

  constructor(message: string, options: { code?: RenderErrorCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RenderError';
    this.code = options.code ?? 'invalid-source';
  }
}
