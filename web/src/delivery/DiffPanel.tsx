/** Every out-of-sync resource's diff, one collapsible section each (Argo CD's "App diff"). */
import { Accordion, Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { Tone } from './badges.tsx';
import { DiffView } from './DiffView.tsx';
import { errorText } from './http.ts';
import { useDiff } from './queries.ts';
import { keyText } from './types.ts';

const REASON: Record<string, string> = { missing: 'missing live', changed: 'changed', extra: 'not in Git' };

export function DiffPanel({ name }: { name: string }) {
  const diff = useDiff(name, true);
  if (diff.isPending) return <Loader aria-label="Computing differences" />;
  if (diff.isError) return <Alert color="red" title="Could not compute the differences">{errorText(diff.error)}</Alert>;
  const out = diff.data.filter((d) => d.state === 'OutOfSync');
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm">
          {out.length} of {diff.data.length} resources differ from Git.
        </Text>
        <Button size="xs" variant="default" loading={diff.isFetching} onClick={() => void diff.refetch()}>
          Compare again
        </Button>
      </Group>
      {out.length > 0 ? (
        // Item values become element ids (aria-controls): a resource key has spaces and slashes, so items are numbered.
        <Accordion multiple variant="separated" defaultValue={out.length <= 5 ? out.map((_, i) => `resource-${i}`) : []}>
          {out.map((d, i) => (
            <Accordion.Item key={keyText(d.key)} value={`resource-${i}`}>
              <Accordion.Control>
                <Group gap="xs">
                  <Text size="sm">{keyText(d.key)}</Text>
                  {d.reason ? (
                    <Tone color={d.reason === 'extra' ? 'yellow' : 'orange'}>
                      {REASON[d.reason] ?? d.reason}
                    </Tone>
                  ) : null}
                </Group>
              </Accordion.Control>
              <Accordion.Panel>
                <DiffView diff={d.diff} label={`Diff of ${keyText(d.key)}`} />
              </Accordion.Panel>
            </Accordion.Item>
          ))}
        </Accordion>
      ) : null}
    </Stack>
  );
}
