/** A repository's description, editable with repository:push. */
import { useState } from 'react';
import { Button, Group, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { ApiErrorAlert, notifyDone } from '../components/index.ts';

export function RepositoryDescription({ project, repository, description, canEdit }: { project: string; repository: string; description: string; canEdit: boolean }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(description);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/projects/{project}/repositories/{repository}', { params: { path: { project, repository } }, body: { description: text } })),
    onSuccess: async () => {
      notifyDone('Description saved');
      setEditing(false);
      await client.invalidateQueries({ queryKey: ['repository', project, repository] });
    },
  });
  if (!editing) {
    return (
      <Group gap="sm" align="start">
        <Text c={description ? undefined : 'dimmed'} style={{ whiteSpace: 'pre-wrap' }}>
          {description || 'No description.'}
        </Text>
        {canEdit && (
          <Button
            size="compact-sm"
            variant="subtle"
            onClick={() => {
              setText(description);
              setEditing(true);
            }}
          >
            Edit description
          </Button>
        )}
      </Group>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Textarea label="Description" value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} maxLength={4096} />
      <ApiErrorAlert error={save.error} />
      <Group gap="xs" mt="xs">
        <Button type="submit" size="xs" loading={save.isPending}>
          Save
        </Button>
        <Button size="xs" variant="default" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}
