/**
 * Mantine theme. Contrast is raised where Mantine's defaults fall below WCAG AA (4.5:1, checked by
 * axe-core in the browser suites): dimmed text is gray 7 (not 6) in light mode, and the primary
 * shade is 8 so links and filled buttons on white pass.
 */
import { createTheme, Modal, Notification, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace',
  // Transitions off for people who ask for less motion (and for the browser suites, which do, so that
  // axe-core never measures a tooltip half faded in).
  respectReducedMotion: true,
  components: {
    // Mantine's modal close button is an icon without a name: axe-core reports it as critical.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    // The same for notifications (found by the browser suites: critical on every view with a toast).
    // and their grey description text (3.3:1 on white) takes the theme's dimmed colour.
    Notification: Notification.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close notification' } }, styles: { description: { color: 'var(--mantine-color-dimmed)' } } }),
  },
});

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)', '--mantine-color-anchor': 'var(--mantine-color-blue-8)' },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)', '--mantine-color-anchor': 'var(--mantine-color-blue-3)' },
});
