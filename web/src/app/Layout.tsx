/** The signed-in shell: header (menu, name, theme, account) and the navigation of every area. */
import { AppShell, Burger, Button, Group, Menu, NavLink, ScrollArea, Text, Title, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, NavLink as RouterNavLink, Outlet, useLocation } from 'react-router';
import { notifyFailed } from '../components/notify.ts';
import { useAuth } from './auth.tsx';
import { ColorSchemeToggle } from './ColorSchemeToggle.tsx';
import type { NavItem, NavSection } from './nav.ts';

const SECTIONS: NavSection[] = ['Registry', 'Delivery', 'Platform', 'Access', 'Administration'];

export function Layout({ nav }: { nav: NavItem[] }) {
  const [opened, { toggle, close }] = useDisclosure();
  const { user, isAdmin, signOut } = useAuth();
  const location = useLocation();
  const visible = nav.filter((n) => !n.adminOnly || isAdmin);

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <UnstyledButton component={Link} to="/" aria-label="Berth home">
              <Title order={2} size="h3">
                Berth
              </Title>
            </UnstyledButton>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <ColorSchemeToggle />
            {user && (
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <Button variant="default" aria-label={`Account: ${user.username}`}>
                    <Text size="sm" truncate maw={140}>
                      {user.username}
                    </Text>
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item component={Link} to="/account/tokens">
                    API tokens
                  </Menu.Item>
                  <Menu.Item
                    onClick={() => {
                      // RequireAuth then goes to plain /login (auth.tsx says why it does, not this).
                      signOut().catch((e: unknown) => notifyFailed(e, 'Sign-out failed'));
                    }}
                  >
                    Sign out
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            )}
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <ScrollArea>
          {SECTIONS.map((section) => {
            const items = visible.filter((n) => n.section === section);
            if (items.length === 0) return null;
            return (
              <div key={section}>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="sm" pb={4} component="h2">
                  {section}
                </Text>
                {items.map((n) => (
                  <NavLink
                    key={n.to}
                    component={RouterNavLink}
                    to={n.to}
                    label={n.label}
                    leftSection={n.icon}
                    active={location.pathname === n.to || location.pathname.startsWith(`${n.to}/`)}
                    onClick={close}
                  />
                ))}
              </div>
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
