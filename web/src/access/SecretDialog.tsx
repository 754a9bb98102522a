/** Shows a secret exactly once (robot secret, API token) with a copy button; it cannot be shown again. */
import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { CopyButton } from '../components/index.ts';

export function SecretDialog({ title, name, secret, onClose }: { title: string; name: string; secret: string | null; onClose: () => void }) {
  return (
    <Modal opened={secret !== null} onClose={onClose} title={title} closeOnClickOutside={false} size="lg">
      <Stack>
        <Alert color="yellow" title="Copy it now" role="status">
          This secret is shown only once. Berth keeps only a hash of it: if you lose it, refresh it.
        </Alert>
        <Text size="sm">
          Name: <Code>{name}</Code>
        </Text>
        <Group gap="xs" wrap="nowrap" align="center">
          <Code block style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap' }} aria-label="Secret">
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
