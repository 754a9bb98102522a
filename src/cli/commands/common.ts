/** Shapes of API answers and helpers shared by the commands. */
import type { ApiResponse } from '../client.ts';
import { type Ctx, type OptionSpec, int, str } from '../framework.ts';
import type { Column } from '../output.ts';

// The API's answer shapes are the domain's own types: imported as types
// only (erased at run time), so the CLI and the server cannot drift apart.
export type { ApiToken } from '../../access/api-tokens.ts';
export type { Member, Project } from '../../access/projects.ts';
export type { Robot, RobotPermissionSet } from '../../access/robots.ts';
export type { User } from '../../access/users.ts';
export type { AuditEntry } from '../../audit/schema.ts';

export const PAGE_OPTIONS: Record<string, OptionSpec> = {
  page: { type: 'string', value: 'N', help: 'page to show, from 1' },
  'page-size': { type: 'string', value: 'N', help: 'entries per page (default 100)' },
};

export const LIST_OPTIONS: Record<string, OptionSpec> = {
  query: { type: 'string', short: 'q', value: 'FILTER', help: 'filter: key=value (exact) or key=~text (contains), comma-separated' },
  sort: { type: 'string', value: 'FIELDS', help: 'sort fields, comma-separated; -field for descending' },
  ...PAGE_OPTIONS,
};

export type Paging = { page: number; page_size: number };

export function paging(ctx: Ctx, maxPageSize = 100, defaultPageSize = 100): Paging {
  return { page: int(ctx, 'page', 1, 1_000_000) ?? 1, page_size: int(ctx, 'page-size', 1, maxPageSize) ?? Math.min(defaultPageSize, maxPageSize) };
}

export function listQuery(ctx: Ctx, maxPageSize = 100): Paging & { q?: string; sort?: string } {
  const q = str(ctx.values, 'query');
  const sort = str(ctx.values, 'sort');
  return { ...paging(ctx, maxPageSize), ...(q !== undefined ? { q } : {}), ...(sort !== undefined ? { sort } : {}) };
}

/** Prints a page of a list: the JSON array, or a table with a note when more pages exist. */
export function showList<T>(ctx: Ctx, res: ApiResponse<T[]>, columns: Column<T>[], noun: string, page?: Paging): void {
  if (ctx.out.json) {
    ctx.out.printJson(res.data);
    return;
  }
  const rows = res.data;
  if (rows.length === 0) {
    ctx.out.note(page && page.page > 1 && (res.total ?? 0) > 0 ? `no ${noun} on page ${page.page} (${res.total} in all)` : `no ${noun}`);
    return;
  }
  ctx.out.table(rows, columns);
  if (page && res.total !== undefined) {
    const from = (page.page - 1) * page.page_size + 1;
    const to = from + rows.length - 1;
    if (res.total > to || page.page > 1) ctx.out.note(`${from}–${to} of ${res.total}${res.total > to ? `: use --page ${page.page + 1} for more` : ''}`);
  }
}

/** `a,b, c` → ['a', 'b', 'c'] without empties. */
export function commaList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
}
