/** "3 minutes ago", with the exact time in a <time> element's title and datetime. */
import { Tooltip } from '@mantine/core';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];
const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** Accepts epoch milliseconds, epoch seconds (< 1e11) or an ISO string. */
export function toDate(value: number | string): Date {
  if (typeof value === 'string') return new Date(value);
  return new Date(value < 1e11 ? value * 1000 : value);
}

export function relative(date: Date, now = Date.now()): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return format.format(Math.round(seconds / size), unit);
  }
  return date.toLocaleString();
}

export function RelativeTime({ value, fallback = '—' }: { value: number | string | null | undefined; fallback?: string }) {
  if (value === null || value === undefined || value === '' || value === 0) return <>{fallback}</>;
  const date = toDate(value);
  return (
    <Tooltip label={date.toLocaleString()} withArrow>
      <time dateTime={date.toISOString()}>{relative(date)}</time>
    </Tooltip>
  );
}
