/** Starts a scan of one artifact (scan:create; the caller renders it only with that permission). */
import { Button } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { notifyDone, notifyFailed, shortDigest } from '../../components/index.ts';
import { startScan } from './api.ts';
import { refreshRepository } from './live.ts';

export function ScanButton({ project, repository, digest, rescan, size = 'sm', variant = 'default' }: { project: string; repository: string; digest: string; rescan?: boolean; size?: 'xs' | 'sm'; variant?: 'default' | 'light' }) {
  const client = useQueryClient();
  const scan = useMutation({
    mutationFn: () => startScan(project, repository, digest),
    onSuccess: () => {
      notifyDone(`Scan of ${shortDigest(digest)} queued`);
      refreshRepository(client, project, repository);
    },
    onError: (err) => notifyFailed(err, 'Scan not started'),
  });
  const verb = rescan ? 'Rescan' : 'Scan';
  return (
    <Button size={size} variant={variant} loading={scan.isPending} onClick={() => scan.mutate()} aria-label={size === 'xs' ? `${verb} ${shortDigest(digest)}` : undefined}>
      {verb}
    </Button>
  );
}
