/**
 * The sync dialog: revision, prune, dry run, sync options and the resources
 * to sync (all by default; a subset makes a selective sync). The request
 * answers when the operation ends, so the dialog closes at once and the page
 * follows the operation through the event stream.
 */
import { Button, Checkbox, Group, Modal, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import { SyncBadge } from './badges.tsx';
import { errorText, unwrap } from './http.ts';
import { appKeys } from './live.ts';
import { type Application, keyText, type SyncBody, type SyncOption } from './types.ts';

const OPTIONS = ['CreateNamespace=true', 'PruneLast=true', 'ApplyOutOfSyncOnly=true', 'ServerSideApply=true', 'Replace=true', 'Validate=false', 'RespectIgnoreDifferences=true', 'FailOnSharedResource=true'] as const;

export function SyncDialog({ app, onClose }: { app: Application; onClose: () => void }) {
  const client = useQueryClient();
  const resources = useMemo(() => (app.status?.resources ?? []).filter((r) => !r.hook), [app.status?.resources]);
  const [revision, setRevision] = useState('');
  const [prune, setPrune] = useState(false);
  const [dryRun, setDryRun] = useState(false);
  const [options, setOptions] = useState<string[]>([]);
  const [selected, setSelected] = useState<Set<number>>(() => new Set(resources.map((_, i) => i)));
  const sync = useMutation({
    mutationFn: async (body: SyncBody) => unwrap(await api.POST('/api/v1/applications/{name}/sync', { params: { path: { name: app.name } }, body })),
    onSuccess: (op) =>
      notifications.show({ color: op.phase === 'Succeeded' ? 'green' : 'red', title: `Sync of ${app.name}: ${op.phase}`, message: op.message || (op.dryRun ? 'dry run' : '') }),
    onError: (e) => notifications.show({ color: 'red', title: `Sync of ${app.name} failed`, message: errorText(e) }),
    onSettled: () => client.invalidateQueries({ queryKey: appKeys.app(app.name) }),
  });

  const all = selected.size === resources.length;
  const submit = (): void => {
    const body: SyncBody = {
      ...(revision.trim() ? { revision: revision.trim() } : {}),
      prune,
      dryRun,
      ...(options.length ? { syncOptions: options as SyncOption[] } : {}),
      ...(all ? {} : { resources: resources.filter((_, i) => selected.has(i)).map((r) => r.key) }),
    };
    sync.mutate(body);
    notifications.show({ message: `Sync of ${app.name} started${dryRun ? ' (dry run)' : ''}` });
    onClose();
  };
  const toggle = (i: number, on: boolean): void => {
    const next = new Set(selected);
    if (on) next.add(i);
    else next.delete(i);
    setSelected(next);
  };

  return (
    <Modal opened closeButtonProps={{ 'aria-label': 'Close' }} onClose={onClose} title={`Sync ${app.name}`} size="lg">
      <Stack gap="sm">
        <TextInput label="Revision" description={`Default: ${app.spec.source.targetRevision}`} value={revision} onChange={(e) => setRevision(e.currentTarget.value)} />
        <Group>
          <Checkbox label="Prune resources no longer in Git" checked={prune} onChange={(e) => setPrune(e.currentTarget.checked)} />
          <Checkbox label="Dry run" checked={dryRun} onChange={(e) => setDryRun(e.currentTarget.checked)} />
        </Group>
        <Checkbox.Group label="Sync options" value={options} onChange={setOptions}>
          <Group gap="xs" mt={4}>
            {OPTIONS.map((o) => (
              <Checkbox key={o} value={o} label={o} />
            ))}
          </Group>
        </Checkbox.Group>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <Text component="legend" fw={500} size="sm">
            Resources ({selected.size} of {resources.length})
          </Text>
          <Group justify="flex-end">
            <Group gap={4}>
              <Button size="compact-xs" variant="subtle" onClick={() => setSelected(new Set(resources.map((_, i) => i)))}>
                All
              </Button>
              <Button size="compact-xs" variant="subtle" onClick={() => setSelected(new Set(resources.flatMap((r, i) => (r.status === 'OutOfSync' ? [i] : []))))}>
                Out of sync only
              </Button>
              <Button size="compact-xs" variant="subtle" onClick={() => setSelected(new Set())}>
                None
              </Button>
            </Group>
          </Group>
          <ScrollArea.Autosize mah={260} type="auto">
            <Stack gap={4} mt={4}>
              {resources.map((r, i) => (
                <Group key={keyText(r.key)} gap="xs" wrap="nowrap">
                  <Checkbox label={keyText(r.key)} checked={selected.has(i)} onChange={(e) => toggle(i, e.currentTarget.checked)} />
                  <SyncBadge status={r.status} />
                </Group>
              ))}
              {resources.length === 0 ? <Text size="sm">No resources known yet: the whole application is synced.</Text> : null}
            </Stack>
          </ScrollArea.Autosize>
        </fieldset>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} disabled={resources.length > 0 && selected.size === 0}>
            {dryRun ? 'Dry run' : 'Synchronize'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
