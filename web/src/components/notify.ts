/** Success and failure notices for actions (aria-live via Mantine notifications). */
import { notifications } from '@mantine/notifications';
import { errorText } from './ApiErrorAlert.tsx';

export function notifyDone(message: string): void {
  notifications.show({ color: 'teal', message });
}

export function notifyFailed(error: unknown, title = 'Action failed'): void {
  notifications.show({ color: 'red', title, message: errorText(error) });
}
