/** An artifact's scan report, kept fresh by the event stream (polled while a scan runs and the stream is down). */
import { useQuery } from '@tanstack/react-query';
import { getReport, scanKeys } from './api.ts';
import { pollWhileActive, useLiveScans } from './live.ts';
import { isActive } from './types.ts';

export function useScanReport(project: string, repository: string, digest: string | undefined, enabled = true) {
  const live = useLiveScans();
  return useQuery({
    queryKey: scanKeys.report(project, repository, digest ?? ''),
    queryFn: () => getReport(project, repository, digest!),
    enabled: enabled && Boolean(digest),
    refetchInterval: (q) => pollWhileActive(live, isActive(q.state.data?.scan_status)),
  });
}

/** Images and indexes are scanned; other artifacts (SBOMs, signatures, Helm charts) are not. */
export const isScannable = (a: { type: string; subject?: string | null }): boolean => (a.type === 'IMAGE' || a.type === 'INDEX') && !a.subject;
