/** The API's error body ({errors:[{code,message}]}) as a thrown value the views can show. */
export interface ApiErrorItem {
  code: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly errors: ApiErrorItem[];

  constructor(status: number, errors: ApiErrorItem[]) {
    super(errors.map((e) => e.message).join('; ') || `request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
  }

  get code(): string | undefined {
    return this.errors[0]?.code;
  }
}

export function toApiError(status: number, body: unknown): ApiError {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (Array.isArray(errors)) {
    return new ApiError(
      status,
      errors.map((e: { code?: unknown; message?: unknown }) => ({ code: typeof e.code === 'string' ? e.code : 'UNKNOWN', message: typeof e.message === 'string' ? e.message : '' })),
    );
  }
  return new ApiError(status, [{ code: 'UNKNOWN', message: `request failed (${status})` }]);
}
