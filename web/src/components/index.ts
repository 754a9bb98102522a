export { ApiErrorAlert, errorText } from './ApiErrorAlert.tsx';
export { ConfirmDialog } from './ConfirmDialog.tsx';
export { CopyButton } from './CopyButton.tsx';
export { PagedTable, type Column, type PageQuery } from './PagedTable.tsx';
export { PageHeader } from './PageHeader.tsx';
export { RelativeTime, relative, toDate } from './RelativeTime.tsx';
export { StatusBadge } from './StatusBadge.tsx';
export { bytes, shortDigest } from './format.ts';
export { notifyDone, notifyFailed } from './notify.ts';
