/** SQL fragments that behave the same on SQLite and PostgreSQL. */
import { sql, type RawBuilder } from 'kysely';

/**
 * Case-insensitive "contains" match. LIKE's escape character and case
 * sensitivity differ between the two databases, so both are made explicit.
 */
export function containsIgnoringCase(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}
