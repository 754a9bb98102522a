/** A policy's delivery log (one row per attempt and target) and the answers of a test delivery. */
import { Alert, Loader, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { Tone } from '../delivery/badges.tsx';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { errorText, unwrap } from '../delivery/http.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';

const Result = ({ ok, code }: { ok: boolean; code: number | null }) => (
  <Tone color={ok ? 'green' : 'red'}>
    {ok ? 'delivered' : 'failed'}
    {code !== null ? ` ${code}` : ''}
  </Tone>
);

export function DeliveriesTable({ project, name }: { project: string; name: string }) {
  const list = useQuery({
    queryKey: ['webhooks', project, name, 'deliveries'],
    queryFn: async () => unwrap(await api.GET('/api/v1/projects/{project}/webhooks/{name}/deliveries', { params: { path: { project, name }, query: { limit: 100 } } })),
    refetchInterval: 15_000,
  });
  return (
    <section aria-labelledby="deliveries">
      <Title order={2} size="h4" id="deliveries" mb="xs">
        Deliveries
      </Title>
      {list.isPending ? <Loader size="sm" aria-label="Loading deliveries" /> : null}
      {list.isError ? <Alert color="red">{errorText(list.error)}</Alert> : null}
      {list.data ? (
        <TableScroll label="Deliveries table" minWidth={720}>
          <Table striped>
            <Table.Caption>The last {list.data.length} delivery attempts, newest first</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">Event</Table.Th>
                <Table.Th scope="col">Target</Table.Th>
                <Table.Th scope="col">Attempt</Table.Th>
                <Table.Th scope="col">Result</Table.Th>
                <Table.Th scope="col">Latency</Table.Th>
                <Table.Th scope="col">Error or response</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.data.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>
                    <RelativeTime value={d.createdAt} />
                  </Table.Td>
                  <Table.Td>{d.eventType}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{d.target}</Table.Td>
                  <Table.Td>{d.attempt}</Table.Td>
                  <Table.Td>
                    <Result ok={d.succeeded} code={d.statusCode} />
                  </Table.Td>
                  <Table.Td>{d.latencyMs} ms</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere', maxWidth: 360 }}>{d.error ?? d.responseBody.slice(0, 200)}</Table.Td>
                </Table.Tr>
              ))}
              {list.data.length === 0 ? (
                <Table.Tr>
                  <Table.Td colSpan={7}>No deliveries yet.</Table.Td>
                </Table.Tr>
              ) : null}
            </Table.Tbody>
          </Table>
        </TableScroll>
      ) : null}
    </section>
  );
}

interface TestResult {
  target: string;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string;
  error: string | null;
  succeeded: boolean;
}

export function TestResults({ results }: { results: TestResult[] }) {
  return (
    <Alert color={results.every((r) => r.succeeded) ? 'green' : 'red'} title="Test delivery" role="status">
      {results.map((r) => (
        <Text key={r.target} size="sm" style={{ overflowWrap: 'anywhere' }}>
          <Result ok={r.succeeded} code={r.statusCode} /> {r.target} in {r.latencyMs} ms{r.error ? `: ${r.error}` : ''}
        </Text>
      ))}
    </Alert>
  );
}
