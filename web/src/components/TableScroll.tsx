/**
 * Horizontal scrolling for wide tables on narrow windows. The scrolling region is focusable
 * (tabIndex 0) and named, so keyboard users can scroll it (axe: scrollable-region-focusable).
 */
import type { ReactNode } from 'react';
import { Box } from '@mantine/core';

export function TableScroll({ label, minWidth = 480, children }: { label: string; minWidth?: number; children: ReactNode }) {
  return (
    <Box role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <Box miw={minWidth}>{children}</Box>
    </Box>
  );
}
