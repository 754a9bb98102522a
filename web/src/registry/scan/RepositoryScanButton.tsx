/** Queues a scan of every image in a repository (scan:create): POST …/repositories/{r}/scan → { queued }. */
import { Button } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { notifyDone, notifyFailed } from '../../components/index.ts';
import { scanRepository } from './api.ts';
import { refreshRepository } from './live.ts';

export function RepositoryScanButton({ project, repository }: { project: string; repository: string }) {
  const client = useQueryClient();
  const scan = useMutation({
    mutationFn: () => scanRepository(project, repository),
    onSuccess: (r) => {
      notifyDone(`${r.queued} ${r.queued === 1 ? 'artifact' : 'artifacts'} queued for scanning`);
      refreshRepository(client, project, repository);
    },
    onError: (err) => notifyFailed(err, 'Scan not started'),
  });
  return (
    <Button variant="default" loading={scan.isPending} onClick={() => scan.mutate()}>
      Scan repository
    </Button>
  );
}
