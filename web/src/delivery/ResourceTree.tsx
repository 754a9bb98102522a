/**
 * The resource tree as an ARIA tree: rows are role="treeitem" with
 * aria-level/aria-setsize/aria-posinset (a flat, windowed list, so only the
 * rows in view exist in the DOM), one tab stop (roving tabindex) and the
 * WAI-ARIA tree keys: ↑/↓ move, → opens or goes to the first child, ← closes
 * or goes to the parent, Home/End, Enter or Space selects, * opens siblings.
 */
import { Group, Text } from '@mantine/core';
import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { HealthBadge, SyncBadge, Tone } from './badges.tsx';
import { infoSummary } from './info.ts';
import { type TreeNode, type TreeRow, visibleRows } from './tree.ts';
import { scrollRowIntoView, useRowWindow } from './useWindow.ts';

const ROW = 36;
const VIEWPORT = 560;
const INDENT = 20;

export interface ResourceTreeProps {
  root: TreeNode;
  expanded: ReadonlySet<string>;
  onExpandedChange: (next: Set<string>) => void;
  selectedId: string | undefined;
  onSelect: (item: TreeNode) => void;
  label: string;
}

export function ResourceTree({ root, expanded, onExpandedChange, selectedId, onSelect, label }: ResourceTreeProps) {
  const rows = useMemo(() => visibleRows(root, expanded), [root, expanded]);
  const [focus, setFocus] = useState(0);
  const viewport = Math.min(VIEWPORT, rows.length * ROW + 2);
  const win = useRowWindow(rows.length, ROW, viewport);
  const box = useRef<HTMLDivElement>(null);
  const fromKeyboard = useRef(false);
  const base = useId();
  const at = Math.min(focus, rows.length - 1);

  // After a key moved the focus: focus the row once it is rendered (a far jump renders it only after the scroll event).
  useEffect(() => {
    if (!fromKeyboard.current) return;
    const el = document.getElementById(`${base}-${at}`);
    if (!el) return;
    fromKeyboard.current = false;
    el.focus();
  }, [at, base, win.start]);

  const move = (index: number): void => {
    const i = Math.max(0, Math.min(rows.length - 1, index));
    fromKeyboard.current = true;
    setFocus(i);
    scrollRowIntoView(box.current, i, ROW);
    win.sync(box.current);
  };
  const toggle = (row: TreeRow, open: boolean): void => {
    const next = new Set(expanded);
    if (open) next.add(row.item.id);
    else next.delete(row.item.id);
    onExpandedChange(next);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    const row = rows[at];
    if (!row) return;
    const open = expanded.has(row.item.id);
    const parent = row.item.children.length > 0;
    switch (e.key) {
      case 'ArrowDown':
        move(at + 1);
        break;
      case 'ArrowUp':
        move(at - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'ArrowRight':
        if (parent && !open) toggle(row, true);
        else if (parent) move(at + 1);
        break;
      case 'ArrowLeft':
        if (parent && open) toggle(row, false);
        else if (row.parentId !== undefined) move(rows.findIndex((r) => r.item.id === row.parentId));
        break;
      case 'Enter':
      case ' ':
        onSelect(row.item);
        break;
      case '*': {
        const next = new Set(expanded);
        for (const r of rows) if (r.parentId === row.parentId && r.item.children.length > 0) next.add(r.item.id);
        onExpandedChange(next);
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div
      ref={box}
      role="tree"
      aria-label={label}
      onScroll={win.onScroll}
      onKeyDown={onKeyDown}
      style={{ height: viewport, overflowY: 'auto', border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
    >
      <div role="none" style={{ height: win.total, position: 'relative' }}>
        <div role="none" style={{ transform: `translateY(${win.offset}px)` }}>
          {rows.slice(win.start, win.end).map((row, i) => {
            const index = win.start + i;
            return (
              <TreeItem
                key={row.item.id}
                id={`${base}-${index}`}
                row={row}
                open={expanded.has(row.item.id)}
                selected={row.item.id === selectedId}
                tabbable={index === at}
                onFocus={() => setFocus(index)}
                onClick={() => {
                  setFocus(index);
                  onSelect(row.item);
                }}
                onToggle={() => toggle(row, !expanded.has(row.item.id))}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

interface TreeItemProps {
  id: string;
  row: TreeRow;
  open: boolean;
  selected: boolean;
  tabbable: boolean;
  onFocus: () => void;
  onClick: () => void;
  onToggle: () => void;
}

function TreeItem({ id, row, open, selected, tabbable, onFocus, onClick, onToggle }: TreeItemProps) {
  const { node, children } = row.item;
  const parent = children.length > 0;
  const summary = infoSummary(node.info);
  return (
    <div
      id={id}
      role="treeitem"
      aria-level={row.depth + 1}
      aria-setsize={row.size}
      aria-posinset={row.pos}
      aria-expanded={parent ? open : undefined}
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      onFocus={onFocus}
      onClick={onClick}
      style={{
        height: ROW,
        display: 'flex',
        alignItems: 'center',
        paddingLeft: 8 + row.depth * INDENT,
        cursor: 'pointer',
        background: selected ? 'var(--mantine-color-default-hover)' : undefined,
        whiteSpace: 'nowrap',
      }}
    >
      <span
        aria-hidden="true"
        onClick={(e) => {
          e.stopPropagation();
          if (parent) onToggle();
        }}
        style={{ width: 18, display: 'inline-block', textAlign: 'center' }}
      >
        {parent ? (open ? '▾' : '▸') : ''}
      </span>
      <Group gap={6} wrap="nowrap" style={{ minWidth: 0, flex: 1, overflow: 'hidden' }}>
        <Text span size="xs" c="dimmed" style={{ flexShrink: 0 }}>
          {node.kind}
        </Text>{' '}
        <Text span size="sm" truncate="end" style={{ minWidth: '8ch', flexShrink: 1 }} title={node.name}>
          {node.name}
        </Text>{' '}
        {parent && !open ? (
          <Text span size="xs" c="dimmed" style={{ flexShrink: 0 }}>
            ({children.length})
          </Text>
        ) : null}{' '}
        {summary ? (
          <Text span size="xs" visibleFrom="sm" style={{ flexShrink: 0 }}>
            {summary}
          </Text>
        ) : null}{' '}
        <span style={{ display: 'inline-flex', gap: 4, flexShrink: 0 }}>
          {node.health ? <HealthBadge status={node.health.status} message={node.health.message} /> : null}{' '}
          {node.sync ? <SyncBadge status={node.sync} /> : null}{' '}
          {node.requiresPruning ? <Tone color="orange">Prune</Tone> : null}
        </span>
      </Group>
    </div>
  );
}
