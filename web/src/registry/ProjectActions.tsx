/** Project-level actions for those allowed: switch visibility (project:update), delete (project:delete). */
import { useState } from 'react';
import { Button, Checkbox } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { usePermissions } from '../app/permissions.ts';
import { ConfirmDialog, notifyDone } from '../components/index.ts';
import { ScanSettings } from './scan/ScanSettings.tsx';

export function ProjectActions({ project, isPublic }: { project: string; isPublic: boolean }) {
  const perms = usePermissions(project);
  const client = useQueryClient();
  const navigate = useNavigate();
  const [visibility, setVisibility] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [force, setForce] = useState(false);
  const path = { project };
  return (
    <>
      {perms.can('project:update') && <ScanSettings project={project} />}
      {perms.can('project:update') && (
        <Button variant="default" onClick={() => setVisibility(true)}>
          {isPublic ? 'Make private' : 'Make public'}
        </Button>
      )}
      {perms.can('project:delete') && (
        <Button color="red" variant="light" onClick={() => setDeleting(true)}>
          Delete project
        </Button>
      )}
      <ConfirmDialog
        opened={visibility}
        onClose={() => setVisibility(false)}
        title={isPublic ? 'Make project private' : 'Make project public'}
        confirmLabel={isPublic ? 'Make private' : 'Make public'}
        danger={!isPublic}
        onConfirm={async () => {
          await unwrap(api.PUT('/api/v1/projects/{project}', { params: { path }, body: { public: !isPublic } }));
          notifyDone(`${project} is now ${isPublic ? 'private' : 'public'}`);
          await client.invalidateQueries({ queryKey: ['project', project] });
          await client.invalidateQueries({ queryKey: ['projects'] });
        }}
      >
        {isPublic ? `Only members will see ${project} and pull its images.` : `Anyone, signed in or not, will be able to see ${project}'s repositories and pull its images.`}
      </ConfirmDialog>
      <ConfirmDialog
        opened={deleting}
        onClose={() => setDeleting(false)}
        title="Delete project"
        confirmLabel="Delete project"
        onConfirm={async () => {
          await unwrap(api.DELETE('/api/v1/projects/{project}', { params: { path, query: force ? { force: 'true' } : {} } }));
          notifyDone(`Project ${project} deleted`);
          await client.invalidateQueries({ queryKey: ['projects'] });
          await navigate('/projects');
        }}
      >
        Delete the project {project}? A project that still has repositories is refused unless you also delete them.
        <Checkbox mt="sm" label="Also delete every repository and artifact in it" checked={force} onChange={(e) => setForce(e.currentTarget.checked)} />
      </ConfirmDialog>
    </>
  );
}
