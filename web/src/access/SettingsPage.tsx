/** Administrators: system settings (who may create projects). */
import { Radio, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert, notifyDone, PageHeader } from '../components/index.ts';
import { useSystemInfo } from '../app/system.ts';

export function SettingsPage() {
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ['settings'], queryFn: () => unwrap(api.GET('/api/v1/settings')) });
  const info = useSystemInfo();
  const save = useMutation({
    mutationFn: (projectCreation: 'adminOnly' | 'everyone') => unwrap(api.PUT('/api/v1/settings', { body: { projectCreation } })),
    onSuccess: (s) => {
      client.setQueryData(['settings'], s);
      void client.invalidateQueries({ queryKey: ['permissions'] });
      notifyDone('Settings saved');
    },
  });
  return (
    <Stack>
      <PageHeader title="System settings" />
      <ApiErrorAlert error={settings.error ?? save.error} />
      {settings.data && (
        <Radio.Group label="Who may create projects" value={settings.data.projectCreation} onChange={(v) => save.mutate(v)}>
          <Stack mt="xs" gap="xs">
            <Radio value="adminOnly" label="Administrators only" />
            <Radio value="everyone" label="Every signed-in user" />
          </Stack>
        </Radio.Group>
      )}
      {info.data && (
        <Text size="sm" c="dimmed">
          Berth {info.data.version}
          {info.data.externalUrl ? ` at ${info.data.externalUrl}` : ''}; registry host {info.data.registryHost ?? window.location.host}.
        </Text>
      )}
    </Stack>
  );
}
