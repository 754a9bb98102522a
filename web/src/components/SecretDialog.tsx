/**
 * Shows a secret exactly once (robot secret, API token, webhook signing secret) with a copy button.
 * Berth keeps only a hash or a sealed copy, so the dialog says it cannot be shown again.
 */
import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { CopyButton } from './CopyButton.tsx';

export function SecretDialog({ title, name, secret, note, onClose }: { title: string; name?: string; secret: string | null | undefined; note?: ReactNode; onClose: () => void }) {
  return (
    <Modal opened={typeof secret === 'string'} onClose={onClose} title={title} closeOnClickOutside={false} size="lg">
      <Stack>
        {/* Filled with auto contrast: the light yellow alert fails WCAG AA contrast in the light theme. */}
        <Alert variant="filled" color="yellow.4" autoContrast title="Copy it now" role="status">
          This secret is shown only once. {note ?? 'If you lose it, refresh it.'}
        </Alert>
        {name !== undefined ? (
          <Text size="sm">
            Name: <Code>{name}</Code>
          </Text>
        ) : null}
        <Group gap="xs" wrap="nowrap" align="center">
          <Code block tabIndex={0} style={{ flex: 1, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }} aria-label="Secret">
            {secret}
          </Code>
          <CopyButton value={secret ?? ''} label="Copy secret" />
        </Group>
        <Group justify="flex-end">
          <Button onClick={onClose}>I have copied it</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
