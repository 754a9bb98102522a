/**
 * A unified diff (live → desired), monospace, one line per row with old and
 * new line numbers. Additions are <ins> and removals <del> with a visible
 * +/− sign and a hidden "added"/"removed" word, so the change is announced
 * and never conveyed by colour alone.
 */
import { Box, Button, Group, Text, VisuallyHidden } from '@mantine/core';
import { useMemo, useState } from 'react';
import { diffStats, type DiffLine, parseUnifiedDiff } from './diff.ts';

const LIMIT = 2000;
const BG: Record<DiffLine['kind'], string | undefined> = {
  add: 'var(--mantine-color-green-light)',
  del: 'var(--mantine-color-red-light)',
  hunk: 'var(--mantine-color-blue-light)',
  ctx: undefined,
  meta: undefined,
};

export function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = useMemo(() => parseUnifiedDiff(diff), [diff]);
  const stats = useMemo(() => diffStats(lines), [lines]);
  const [all, setAll] = useState(false);
  const shown = all ? lines : lines.slice(0, LIMIT);
  if (lines.length === 0) return <Text c="dimmed">No differences.</Text>;
  return (
    <section aria-label={label}>
      <Text size="sm" mb={4}>
        {stats.added} lines added, {stats.removed} lines removed (live → desired)
      </Text>
      <Box
        component="pre"
        tabIndex={0}
        aria-label={`${label}: unified diff`}
        style={{ fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12, overflowX: 'auto', margin: 0, padding: 8, border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
      >
        {shown.map((l, i) => (
          <DiffRow key={i} line={l} />
        ))}
      </Box>
      {!all && lines.length > LIMIT ? (
        <Group mt={4}>
          <Button variant="subtle" size="xs" onClick={() => setAll(true)}>
            Show all {lines.length} lines
          </Button>
        </Group>
      ) : null}
    </section>
  );
}

function num(n: number | undefined): string {
  return n === undefined ? '' : String(n);
}

function DiffRow({ line }: { line: DiffLine }) {
  const gutter = (
    <span aria-hidden="true" style={{ display: 'inline-block', width: '8ch', color: 'var(--mantine-color-dimmed)', userSelect: 'none' }}>
      {num(line.old).padStart(3)} {num(line.new).padStart(3)}
    </span>
  );
  const style = { display: 'block', background: BG[line.kind], textDecoration: 'none' };
  if (line.kind === 'add')
    return (
      <ins style={style}>
        {gutter}
        <VisuallyHidden>added: </VisuallyHidden>
        <span aria-hidden="true">+ </span>
        {line.text}
      </ins>
    );
  if (line.kind === 'del')
    return (
      <del style={style}>
        {gutter}
        <VisuallyHidden>removed: </VisuallyHidden>
        <span aria-hidden="true">− </span>
        {line.text}
      </del>
    );
  return (
    <span style={{ ...style, color: line.kind === 'ctx' ? undefined : 'var(--mantine-color-dimmed)' }}>
      {line.kind === 'ctx' ? gutter : null}
      {line.kind === 'ctx' ? '  ' : ''}
      {line.text}
    </span>
  );
}
