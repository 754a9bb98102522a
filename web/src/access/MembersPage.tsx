/** A project's members (users and OIDC groups) and their roles; add, change, remove as allowed. */
import { useState } from 'react';
import { ActionIcon, Button, Group, Modal, SegmentedControl, Select, Stack, Table, TextInput, Tooltip, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import type { ListItem } from '../api/types.ts';
import { usePermissions } from '../app/permissions.ts';
import { ApiErrorAlert, ConfirmDialog, notifyDone, notifyFailed, RelativeTime, TableScroll, CloseIcon } from '../components/index.ts';
import { ROLE_LABELS, ROLE_OPTIONS, type Role } from './roles.ts';

type Member = ListItem<'/api/v1/projects/{project}/members'>;

export function MembersPage() {
  const project = useParams().project!;
  const client = useQueryClient();
  const perms = usePermissions(project);
  const key = ['members', project];
  const members = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET('/api/v1/projects/{project}/members', { params: { path: { project } } })) });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);

  const changeRole = useMutation({
    mutationFn: (m: { kind: 'user' | 'group'; name: string; role: Role }) =>
      unwrap(api.PUT('/api/v1/projects/{project}/members/{kind}/{member}', { params: { path: { project, kind: m.kind, member: m.name } }, body: { role: m.role } })),
    onSuccess: (_d, m) => {
      notifyDone(`${m.name} is now ${ROLE_LABELS[m.role]}`);
      return client.invalidateQueries({ queryKey: key });
    },
    onError: (e) => notifyFailed(e),
  });

  return (
    <Stack>
      <Group justify="space-between">
        <div />
        {perms.can('member:create') && <Button onClick={() => setAdding(true)}>Add member</Button>}
      </Group>
      <ApiErrorAlert error={members.error} />
      <TableScroll label={`Members of ${project}`}>
        <Table striped captionSide="top">
          <Table.Caption>Members of {project}</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Name</Table.Th>
              <Table.Th scope="col">Kind</Table.Th>
              <Table.Th scope="col">Role</Table.Th>
              <Table.Th scope="col">Added</Table.Th>
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {members.data?.map((m) => (
              <Table.Tr key={`${m.kind}/${m.name}`}>
                <Table.Td>{m.name}</Table.Td>
                <Table.Td>{m.kind === 'group' ? 'OIDC group' : 'User'}</Table.Td>
                <Table.Td>
                  {perms.can('member:update') ? (
                    <Select
                      aria-label={`Role of ${m.name}`}
                      data={ROLE_OPTIONS}
                      value={m.role}
                      allowDeselect={false}
                      w={170}
                      onChange={(role) => role && role !== m.role && changeRole.mutate({ kind: m.kind, name: m.name, role: role })}
                    />
                  ) : (
                    ROLE_LABELS[m.role]
                  )}
                </Table.Td>
                <Table.Td>
                  <RelativeTime value={m.createdAt} />
                </Table.Td>
                <Table.Td>
                  {perms.can('member:delete') && (
                    <Tooltip label="Remove">
                      <ActionIcon variant="subtle" color="red" aria-label={`Remove ${m.name}`} onClick={() => setRemoving(m)}>
                        <CloseIcon />
                      </ActionIcon>
                    </Tooltip>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
      <AddMemberDialog project={project} opened={adding} onClose={() => setAdding(false)} onAdded={() => client.invalidateQueries({ queryKey: key })} />
      <ConfirmDialog
        opened={removing !== null}
        onClose={() => setRemoving(null)}
        title="Remove member"
        confirmLabel="Remove"
        onConfirm={async () => {
          if (!removing) return;
          await unwrap(api.DELETE('/api/v1/projects/{project}/members/{kind}/{member}', { params: { path: { project, kind: removing.kind, member: removing.name } } }));
          notifyDone(`${removing.name} removed`);
          await client.invalidateQueries({ queryKey: key });
        }}
      >
        Remove {removing?.name} from {project}? They lose the access this membership gave.
      </ConfirmDialog>
    </Stack>
  );
}

function AddMemberDialog({ project, opened, onClose, onAdded }: { project: string; opened: boolean; onClose: () => void; onAdded: () => Promise<unknown> }) {
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const add = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/projects/{project}/members', { params: { path: { project } }, body: { kind, name: name.trim(), role } })),
    onSuccess: async () => {
      notifyDone(`${name.trim()} added as ${ROLE_LABELS[role]}`);
      setName('');
      onClose();
      await onAdded();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title="Add member">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <Stack>
          <SegmentedControl
            aria-label="Member kind"
            value={kind}
            onChange={(v) => setKind(v)}
            data={[
              { value: 'user', label: 'User' },
              { value: 'group', label: 'OIDC group' },
            ]}
          />
          <TextInput label={kind === 'user' ? 'User name' : 'Group name'} required value={name} onChange={(e) => setName(e.currentTarget.value)} data-autofocus />
          <Select label="Role" data={ROLE_OPTIONS} value={role} onChange={(v) => v && setRole(v)} allowDeselect={false} />
          <ApiErrorAlert error={add.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending}>
              Add
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
