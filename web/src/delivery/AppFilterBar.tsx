/** Filters of the applications list: text fields are debounced, selects apply at once; all end up in the URL. */
import { Group, NativeSelect, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useSyncedText } from './useSyncedText.ts';
import { type AppFilters, HEALTH_STATES, SYNC_STATES } from './filters.ts';

export function AppFilterBar({ filters, onChange }: { filters: AppFilters; onChange: (change: Partial<AppFilters>) => void }) {
  return (
    <Group gap="sm" align="end" wrap="wrap" role="search" aria-label="Filter applications">
      <DebouncedInput label="Name" placeholder="Search by name" value={filters.q} onChange={(v) => onChange({ q: v })} />
      <DebouncedInput label="Project" value={filters.project} onChange={(v) => onChange({ project: v })} />
      <DebouncedInput label="Cluster" value={filters.cluster} onChange={(v) => onChange({ cluster: v })} />
      <DebouncedInput label="Namespace" value={filters.namespace} onChange={(v) => onChange({ namespace: v })} />
      <NativeSelect label="Sync" value={filters.sync} data={[{ value: '', label: 'Any' }, ...SYNC_STATES.map((s) => ({ value: s, label: s }))]} onChange={(e) => onChange({ sync: e.currentTarget.value })} />
      <NativeSelect label="Health" value={filters.health} data={[{ value: '', label: 'Any' }, ...HEALTH_STATES.map((s) => ({ value: s, label: s }))]} onChange={(e) => onChange({ health: e.currentTarget.value })} />
    </Group>
  );
}

function DebouncedInput({ label, value, placeholder, onChange }: { label: string; value: string; placeholder?: string; onChange: (v: string) => void}) {
  const [text, setText] = useSyncedText(value);
  const push = useDebouncedCallback((v: string) => onChange(v.trim()), 300);
  return (
    <TextInput
      label={label}
      placeholder={placeholder}
      value={text}
      w={160}
      onChange={(e) => {
        setText(e.currentTarget.value);
        push(e.currentTarget.value);
      }}
    />
  );
}
