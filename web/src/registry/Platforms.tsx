/** os/architecture[/variant] badges of an artifact or an index's children. */
import { Badge, Group } from '@mantine/core';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string | null | undefined;
}

export function platformName(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function Platforms({ platforms }: { platforms: Platform[] }) {
  if (platforms.length === 0) return <>—</>;
  return (
    <Group gap={4}>
      {platforms.map((p) => (
        <Badge key={platformName(p)} variant="outline" size="sm" tt="none">
          {platformName(p)}
        </Badge>
      ))}
    </Group>
  );
}
