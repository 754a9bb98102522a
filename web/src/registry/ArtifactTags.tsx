/** An artifact's tags: each removable (tag:delete), and a form to add one (tag:create). */
import { useState } from 'react';
import { Badge, Button, CloseButton, Group, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert, ConfirmDialog, notifyDone } from '../components/index.ts';

export interface ArtifactRef {
  project: string;
  repository: string;
  digest: string;
}

export function ArtifactTags({ artifact, tags, canAdd, canRemove, onChanged }: { artifact: ArtifactRef; tags: string[]; canAdd: boolean; canRemove: boolean; onChanged: () => Promise<unknown> }) {
  const [name, setName] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const path = { project: artifact.project, repository: artifact.repository, reference: artifact.digest };
  const add = useMutation({
    mutationFn: (tag: string) => unwrap(api.POST('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/tags/{tag}', { params: { path: { ...path, tag } } })),
    onSuccess: async (t) => {
      notifyDone(`Tagged ${t.name}`);
      setName('');
      await onChanged();
    },
  });
  return (
    <div>
      <Group gap={6} mb="xs">
        {tags.length === 0 && <span>No tags.</span>}
        {tags.map((t) => (
          <Badge
            key={t}
            size="lg"
            variant="light"
            tt="none"
            rightSection={canRemove ? <CloseButton size="xs" aria-label={`Remove tag ${t}`} onClick={() => setRemoving(t)} /> : undefined}
          >
            {t}
          </Badge>
        ))}
      </Group>
      {canAdd && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) add.mutate(name.trim());
          }}
        >
          <Group align="end" gap="xs">
            <TextInput label="New tag" value={name} onChange={(e) => setName(e.currentTarget.value)} w={200} />
            <Button type="submit" loading={add.isPending} variant="light">
              Add tag
            </Button>
          </Group>
          <ApiErrorAlert error={add.error} />
        </form>
      )}
      <ConfirmDialog
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        title="Remove tag"
        confirmLabel="Remove tag"
        onConfirm={async () => {
          if (!removing) return;
          await unwrap(api.DELETE('/api/v1/projects/{project}/repositories/{repository}/artifacts/{reference}/tags/{tag}', { params: { path: { ...path, tag: removing } } }));
          notifyDone(`Tag ${removing} removed`);
          await onChanged();
        }}
      >
        Remove the tag {removing} from {artifact.project}/{artifact.repository}? The artifact stays.
      </ConfirmDialog>
    </div>
  );
}
