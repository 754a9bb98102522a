/**
 * The project's scanning settings, Harbor's metadata keys ("true"/"false"):
 * `auto_scan` scans every image pushed to the project; `auto_sbom_generation`
 * attaches a CycloneDX SBOM to each image after its scan. Rendered for those
 * who may update the project.
 */
import { Switch } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client.ts';
import { notifyDone, notifyFailed } from '../../components/index.ts';

type SettingKey = 'auto_scan' | 'auto_sbom_generation';

const TEXT: Record<SettingKey, { label: string; on: (p: string) => string; off: (p: string) => string }> = {
  auto_scan: {
    label: 'Scan on push',
    on: (p) => `Images pushed to ${p} will be scanned`,
    off: (p) => `Images pushed to ${p} will no longer be scanned automatically`,
  },
  auto_sbom_generation: {
    label: 'SBOM after scan',
    on: (p) => `Each scan in ${p} will attach a CycloneDX SBOM to the image`,
    off: (p) => `Scans in ${p} will no longer attach SBOMs`,
  },
};

function ProjectSettingSwitch({ project, setting }: { project: string; setting: SettingKey }) {
  const client = useQueryClient();
  // The same query (and key) as the project page's header.
  const info = useQuery({ queryKey: ['project', project], queryFn: () => unwrap(api.GET('/api/v1/projects/{project}', { params: { path: { project } } })) });
  const on = info.data?.metadata[setting] === 'true';
  const save = useMutation({
    mutationFn: (next: boolean) => unwrap(api.PUT('/api/v1/projects/{project}', { params: { path: { project } }, body: { metadata: { [setting]: next ? 'true' : 'false' } } })),
    onSuccess: (updated, next) => {
      // The answer is the project: shown at once (no flicker back while the list refetches).
      client.setQueryData(['project', project], updated);
      notifyDone(next ? TEXT[setting].on(project) : TEXT[setting].off(project));
      void client.invalidateQueries({ queryKey: ['projects'] });
    },
    onError: (err) => notifyFailed(err, 'Setting not saved'),
  });
  if (!info.data) return null;
  return <Switch label={TEXT[setting].label} checked={save.isPending ? Boolean(save.variables) : on} disabled={save.isPending} onChange={(e) => save.mutate(e.currentTarget.checked)} />;
}

export function ScanSettings({ project }: { project: string }) {
  return (
    <>
      <ProjectSettingSwitch project={project} setting="auto_scan" />
      <ProjectSettingSwitch project={project} setting="auto_sbom_generation" />
    </>
  );
}
