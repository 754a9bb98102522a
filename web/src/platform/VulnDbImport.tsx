/**
 * Importing vulnerability data: a file from this computer (uploaded as is) or a URL Berth
 * fetches; format sniffed unless chosen, source name defaulted by the server. The answer
 * (records added, updated, removed, time) is shown with a link to the re-match job it queued.
 */
import { useState } from 'react';
import { Alert, Anchor, Button, FileInput, Group, SegmentedControl, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { ApiErrorAlert, bytes } from '../components/index.ts';
import { FORMATS, importFile, importUrl, vulnDbKey, type ImportResult } from './vulndb.ts';

export function VulnDbImport() {
  const client = useQueryClient();
  const [from, setFrom] = useState<'file' | 'url'>('file');
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState('');
  const [format, setFormat] = useState<string | null>(null);
  const [source, setSource] = useState('');
  const run = useMutation({
    mutationFn: (): Promise<ImportResult> => {
      const options = { ...(format ? { format } : {}), ...(source.trim() ? { source: source.trim() } : {}) };
      if (from === 'file') return importFile(file!, options);
      return importUrl({ url: url.trim(), ...options });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: vulnDbKey }),
  });
  const ready = from === 'file' ? file !== null : /^https?:\/\/\S+$/.test(url.trim());
  const r = run.data;
  return (
    <section aria-labelledby="import-heading">
      <Title order={2} size="h4" id="import-heading" mb="xs">
        Import
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) run.mutate();
        }}
      >
        <Stack gap="sm" maw={560}>
          <SegmentedControl
            value={from}
            onChange={(v) => setFrom(v === 'url' ? 'url' : 'file')}
            data={[
              { value: 'file', label: 'Upload a file' },
              { value: 'url', label: 'From a URL' },
            ]}
            aria-label="Import from"
          />
          {from === 'file' ? (
            <FileInput label="Data file" description="OSV all.zip or record JSON, Alpine secdb JSON, Debian tracker JSON, DSA or DLA list" value={file} onChange={setFile} clearable clearButtonProps={{ 'aria-label': 'Clear the chosen file' }} />
          ) : (
            <TextInput label="URL" placeholder="https://…" value={url} onChange={(e) => setUrl(e.currentTarget.value)} />
          )}
          <Group grow align="start">
            <Select label="Format" placeholder="Detect from the content" data={FORMATS} value={format} onChange={setFormat} clearable />
            <TextInput label="Source name" placeholder="Default for the format" value={source} onChange={(e) => setSource(e.currentTarget.value)} />
          </Group>
          {file && from === 'file' && (
            <Text size="sm" c="dimmed">
              {file.name}, {bytes(file.size)}
            </Text>
          )}
          <Group>
            <Button type="submit" disabled={!ready} loading={run.isPending}>
              Import
            </Button>
          </Group>
          <ApiErrorAlert error={run.error} />
          {r && (
            <Alert variant="default" title={`Imported ${r.source}`} role="status">
              {r.records.toLocaleString()} records ({r.added.toLocaleString()} added, {r.updated.toLocaleString()} updated, {r.removed.toLocaleString()} removed) in {(r.duration_ms / 1000).toFixed(1)} s.
              {r.rematch_job_id !== undefined && r.rematch_job_id !== null && (
                <>
                  {' '}
                  Stored scans are being matched again:{' '}
                  <Anchor component={Link} to={`/jobs/${encodeURIComponent(String(r.rematch_job_id))}`}>
                    job {String(r.rematch_job_id)}
                  </Anchor>
                  .
                </>
              )}
            </Alert>
          )}
        </Stack>
      </form>
    </section>
  );
}
