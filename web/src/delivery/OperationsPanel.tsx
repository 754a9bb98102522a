/** The last operation's per-resource results, then every recorded operation (sync, rollback, deletion). */
import { Alert, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { TableScroll } from '../components/TableScroll.tsx';
import { PhaseBadge } from './badges.tsx';
import { duration, errorText, shortSha } from './http.ts';
import { useOperations } from './queries.ts';
import { RelativeTime } from '../components/RelativeTime.tsx';
import { type Application, keyText } from './types.ts';

export function OperationsPanel({ app }: { app: Application }) {
  const op = app.status?.operationState;
  const ops = useOperations(app.name, true);
  return (
    <Stack gap="lg">
      <section aria-labelledby="last-op">
        <Title order={2} size="h4" id="last-op" mb="xs">
          Last operation
        </Title>
        {op ? (
          <>
            <Text size="sm" mb="xs">
              <PhaseBadge phase={op.phase} /> {op.dryRun ? 'Dry run, ' : ''}
              {op.trigger} by {op.actor} of <code>{shortSha(op.revision)}</code>, started <RelativeTime value={op.startedAt} />, took {duration(op.startedAt, op.finishedAt)}. {op.message}
            </Text>
            <TableScroll label="Results per resource" minWidth={640}>
              <Table striped>
                <Table.Caption>Results per resource</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Resource</Table.Th>
                    <Table.Th scope="col">Phase</Table.Th>
                    <Table.Th scope="col">Wave</Table.Th>
                    <Table.Th scope="col">Result</Table.Th>
                    <Table.Th scope="col">Message</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {op.resources.map((r) => (
                    <Table.Tr key={`${keyText(r.key)}-${r.phase}-${r.hookType ?? ''}`}>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>
                        {keyText(r.key)}
                        {r.hookType ? ` (${r.hookType} hook)` : ''}
                      </Table.Td>
                      <Table.Td>{r.phase}</Table.Td>
                      <Table.Td>{r.wave}</Table.Td>
                      <Table.Td>
                        <PhaseBadge phase={r.hookPhase ?? r.status} />
                      </Table.Td>
                      <Table.Td style={{ overflowWrap: 'anywhere' }}>{r.message}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </TableScroll>
          </>
        ) : (
          <Text size="sm">No operation yet.</Text>
        )}
      </section>
      <section aria-labelledby="all-ops">
        <Title order={2} size="h4" id="all-ops" mb="xs">
          Operations
        </Title>
        {ops.isPending ? <Loader size="sm" aria-label="Loading operations" /> : null}
        {ops.isError ? <Alert color="red">{errorText(ops.error)}</Alert> : null}
        {ops.data ? (
          <TableScroll label="Operations table" minWidth={640}>
            <Table striped>
              <Table.Caption>The last {ops.data.length} operations, newest first</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Kind</Table.Th>
                  <Table.Th scope="col">State</Table.Th>
                  <Table.Th scope="col">Revision</Table.Th>
                  <Table.Th scope="col">By</Table.Th>
                  <Table.Th scope="col">Created</Table.Th>
                  <Table.Th scope="col">Duration</Table.Th>
                  <Table.Th scope="col">Message</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {ops.data.map((o) => (
                  <Table.Tr key={o.id}>
                    <Table.Td>
                      {o.kind} ({o.trigger})
                    </Table.Td>
                    <Table.Td>
                      <PhaseBadge phase={o.state} />
                    </Table.Td>
                    <Table.Td ff="monospace">{shortSha(o.resolvedRevision ?? o.revision)}</Table.Td>
                    <Table.Td>{o.actor.name}</Table.Td>
                    <Table.Td>
                      <RelativeTime value={o.createdAt} />
                    </Table.Td>
                    <Table.Td>{duration(o.startedAt, o.finishedAt)}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{o.message}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </TableScroll>
        ) : null}
      </section>
    </Stack>
  );
}
