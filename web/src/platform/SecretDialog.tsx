/** A signing secret, shown once (after create or rotate) with a copy button; it cannot be read again. */
import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text } from '@mantine/core';

export function SecretDialog({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={title} closeOnClickOutside={false}>
      <Stack>
        <Alert color="yellow" title="Copy it now">
          This secret is shown only once. Receivers use it to check the X-Berth-Signature of each delivery.
        </Alert>
        <Text size="sm" fw={500}>
          Signing secret
        </Text>
        <Code block tabIndex={0} style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
          {secret}
        </Code>
        <Group justify="flex-end">
          <CopyButton value={secret}>{({ copied, copy }) => <Button variant="default" onClick={copy}>{copied ? 'Copied' : 'Copy secret'}</Button>}</CopyButton>
          <Button onClick={onClose}>Done</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
