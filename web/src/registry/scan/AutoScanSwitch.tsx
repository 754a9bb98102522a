/**
 * The project's auto-scan setting (Harbor's metadata key `auto_scan`, "true"/"false"): when on,
 * every image pushed to the project is scanned. Rendered for those who may update the project.
 */
import { Switch } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { notifyDone, notifyFailed } from '../../components/index.ts';

export function AutoScanSwitch({ project }: { project: string }) {
  const client = useQueryClient();
  // The same query (and key) as the project page's header.
  const info = useQuery({ queryKey: ['project', project], queryFn: () => unwrap(api.GET('/api/v1/projects/{project}', { params: { path: { project } } })) });
  const on = info.data?.metadata.auto_scan === 'true';
  const save = useMutation({
    mutationFn: (next: boolean) => unwrap(api.PUT('/api/v1/projects/{project}', { params: { path: { project } }, body: { metadata: { auto_scan: next ? 'true' : 'false' } } })),
    onSuccess: (updated, next) => {
      // The answer is the project: shown at once (no flicker back while the list refetches).
      client.setQueryData(['project', project], updated);
      notifyDone(next ? `Images pushed to ${project} will be scanned` : `Images pushed to ${project} will no longer be scanned automatically`);
      void client.invalidateQueries({ queryKey: ['projects'] });
    },
    onError: (err) => notifyFailed(err, 'Setting not saved'),
  });
  if (!info.data) return null;
  return <Switch label="Scan on push" checked={save.isPending ? Boolean(save.variables) : on} disabled={save.isPending} onChange={(e) => save.mutate(e.currentTarget.checked)} />;
}
