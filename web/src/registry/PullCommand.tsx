/** A copyable `docker pull` command naming the registry host from GET /api/v1/system/info. */
import { Code, Group } from '@mantine/core';
import { registryHost, useSystemInfo } from '../app/system.ts';
import { CopyButton } from '../components/index.ts';
import { pullCommand } from './paths.ts';


export function PullCommand({ project, repository, reference, label = 'Copy pull command' }: { project: string; repository: string; reference?: string; label?: string }) {
  const info = useSystemInfo();
  const command = pullCommand(registryHost(info.data), project, repository, reference);
  return (
    <Group gap="xs" wrap="nowrap" maw="100%">
      <Code style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{command}</Code>
      <CopyButton value={command} label={label} />
    </Group>
  );
}
