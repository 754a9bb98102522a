/** Copies a value to the clipboard; the accessible name says what is copied. */
import { ActionIcon, CopyButton as MantineCopy, Tooltip } from '@mantine/core';
import { CheckIcon, CopyIcon } from './icons.tsx';

export function CopyButton({ value, label }: { value: string; label: string }) {
  return (
    <MantineCopy value={value} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : label} withArrow>
          <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={copied ? `${label}: copied` : label}>
            {copied ? <CheckIcon /> : <CopyIcon />}
          </ActionIcon>
        </Tooltip>
      )}
    </MantineCopy>
  );
}
