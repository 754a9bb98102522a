/** Queues a scan of every image in a repository (scan:create): POST …/repositories/{r}/scan → { queued }. */
import { Button } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { request } from '../../api/client.ts';
import { notifyDone, notifyFailed } from '../../components/index.ts';
import { refreshRepository } from './live.ts';

export function RepositoryScanButton({ project, repository }: { project: string; repository: string }) {
  const client = useQueryClient();
  const scan = useMutation({
    mutationFn: () => request<{ queued: number }>('POST', `/api/v1/projects/${encodeURIComponent(project)}/repositories/${encodeURIComponent(repository)}/scan`),
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
