/**
 * Create an application: a form for the common fields, or an Application
 * document (YAML or JSON, as `berth app apply -f` takes it) for everything else. The document is parsed
 * with the `yaml` package (YAML 1.2, a superset of JSON) with bounded alias expansion.
 * The server checks the project's delivery policy and answers what it
 * refuses; that message is shown as is.
 */
import { parse as parseYaml } from 'yaml';
import { Alert, Anchor, Breadcrumbs, Button, Checkbox, Group, NativeSelect, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api } from '../api/client.ts';
import { errorText, unwrap } from './http.ts';
import { appKeys } from './live.ts';
import type { CreateBody } from './types.ts';

const EXAMPLE = `{
  "apiVersion": "berth.dev/v1alpha1",
  "kind": "Application",
  "metadata": { "name": "guestbook" },
  "spec": {
    "project": "team",
    "source": { "repoURL": "https://git.example.com/team/deploy.git", "targetRevision": "main", "path": "guestbook" },
    "destination": { "name": "in-cluster", "namespace": "guestbook" },
    "syncPolicy": { "syncOptions": ["CreateNamespace=true"] }
  }
}`;

export function ApplicationCreate() {
  const [params] = useSearchParams();
  const [mode, setMode] = useState('form');
  const [doc, setDoc] = useState(EXAMPLE);
  const [f, setF] = useState({ name: '', project: params.get('project') ?? '', repoURL: '', path: '.', targetRevision: 'HEAD', destKind: 'name', dest: 'in-cluster', namespace: '', automated: false, prune: false, selfHeal: false, createNamespace: true });
  const [parseError, setParseError] = useState('');
  const navigate = useNavigate();
  const client = useQueryClient();
  const create = useMutation({
    mutationFn: async (body: CreateBody) => unwrap(await api.POST('/api/v1/applications', { body })),
    onSuccess: async (app) => {
      notifications.show({ color: 'green', message: `Application ${app.name} created` });
      await client.invalidateQueries({ queryKey: appKeys.lists });
      await navigate(`/applications/${encodeURIComponent(app.name)}`);
    },
  });
  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string; checked?: boolean; type?: string } }) =>
    setF({ ...f, [k]: e.currentTarget.type === 'checkbox' ? Boolean(e.currentTarget.checked) : e.currentTarget.value });

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setParseError('');
    if (mode === 'document') {
      try {
        create.mutate(parseYaml(doc, { maxAliasCount: 100 }) as CreateBody);
      } catch (err) {
        setParseError(`Not a valid YAML or JSON document: ${errorText(err)}`);
      }
      return;
    }
    create.mutate({
      metadata: { name: f.name.trim() },
      spec: {
        project: f.project.trim(),
        source: { repoURL: f.repoURL.trim(), path: f.path.trim() || '.', targetRevision: f.targetRevision.trim() || 'HEAD' },
        destination: { ...(f.destKind === 'name' ? { name: f.dest.trim() } : { server: f.dest.trim() }), namespace: f.namespace.trim() },
        syncPolicy: { ...(f.automated ? { automated: { prune: f.prune, selfHeal: f.selfHeal } } : {}), syncOptions: f.createNamespace ? ['CreateNamespace=true'] : [] },
      },
    });
  };

  return (
    <Stack gap="md" maw={720}>
      <Breadcrumbs aria-label="Breadcrumb">
        <Anchor component={Link} to="/applications">
          Applications
        </Anchor>
        <Text span>New</Text>
      </Breadcrumbs>
      <Title order={1} size="h2">New application</Title>
      <SegmentedControl aria-label="How to describe the application" value={mode} onChange={setMode} data={[{ value: 'form', label: 'Form' }, { value: 'document', label: 'Application document (YAML)' }]} />
      <form onSubmit={submit} aria-label="New application">
        <Stack gap="sm">
          {mode === 'form' ? (
            <>
              <TextInput label="Name" description="A DNS label: lowercase letters, digits and -" required value={f.name} onChange={set('name')} />
              <TextInput label="Project" required value={f.project} onChange={set('project')} />
              <TextInput label="Repository URL" required placeholder="https://git.example.com/team/deploy.git" value={f.repoURL} onChange={set('repoURL')} />
              <Group grow>
                <TextInput label="Path" value={f.path} onChange={set('path')} />
                <TextInput label="Revision" description="Branch, tag, commit or HEAD" value={f.targetRevision} onChange={set('targetRevision')} />
              </Group>
              <Group grow align="end">
                <NativeSelect label="Destination by" value={f.destKind} onChange={set('destKind')} data={[{ value: 'name', label: 'Cluster name' }, { value: 'server', label: 'API server URL' }]} />
                <TextInput label={f.destKind === 'name' ? 'Cluster name' : 'API server URL'} required value={f.dest} onChange={set('dest')} />
                <TextInput label="Namespace" value={f.namespace} onChange={set('namespace')} />
              </Group>
              <Checkbox label="Create the namespace when missing" checked={f.createNamespace} onChange={set('createNamespace')} />
              <Checkbox label="Automated sync" checked={f.automated} onChange={set('automated')} />
              {f.automated ? (
                <Group pl="lg">
                  <Checkbox label="Prune" checked={f.prune} onChange={set('prune')} />
                  <Checkbox label="Self heal" checked={f.selfHeal} onChange={set('selfHeal')} />
                </Group>
              ) : null}
            </>
          ) : (
            <Textarea label="Application document" description="YAML or JSON: an Application document as in docs/applications.md" autosize minRows={14} styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }} value={doc} onChange={(e) => setDoc(e.currentTarget.value)} />
          )}
          {parseError || create.isError ? (
            <Alert color="red" title="Not created" role="alert">
              {parseError || errorText(create.error)}
            </Alert>
          ) : null}
          <Group justify="flex-end">
            <Button variant="default" component={Link} to="/applications">
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
