/** A view's title (the page's h1), breadcrumbs and actions. */
import type { ReactNode } from 'react';
import { Anchor, Breadcrumbs, Group, Stack, Title } from '@mantine/core';
import { Link } from 'react-router';

export function PageHeader({ title, crumbs = [], actions }: { title: ReactNode; crumbs?: { label: string; to: string }[]; actions?: ReactNode }) {
  return (
    <Stack gap={4} mb="md">
      {crumbs.length > 0 && (
        <nav aria-label="Breadcrumb">
          <Breadcrumbs>
            {crumbs.map((c) => (
              <Anchor component={Link} to={c.to} key={c.to} size="sm">
                {c.label}
              </Anchor>
            ))}
          </Breadcrumbs>
        </nav>
      )}
      <Group justify="space-between" wrap="wrap" gap="sm">
        <Title order={1} size="h2" style={{ wordBreak: 'break-all' }}>
          {title}
        </Title>
        {actions && <Group gap="xs">{actions}</Group>}
      </Group>
    </Stack>
  );
}
