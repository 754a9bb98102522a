/**
 * Filters of the vulnerability and package tables, kept in the URL (so a link or back/forward
 * keeps the view) under their own prefixes; changing one goes back to the first page.
 */
import { useSearchParams } from 'react-router';

export function useUrlFilters<K extends string>(prefix: string, keys: readonly K[]): { values: Record<K, string>; set: (changes: Partial<Record<K, string>>) => void } {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((k) => [k, params.get(`${prefix}${k}`) ?? ''])) as Record<K, string>;
  const set = (changes: Partial<Record<K, string>>) =>
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(changes) as [K, string | undefined][]) {
          if (v) next.set(`${prefix}${k}`, v);
          else next.delete(`${prefix}${k}`);
        }
        next.delete(`${prefix}page`);
        return next;
      },
      { replace: true },
    );
  return { values, set };
}
