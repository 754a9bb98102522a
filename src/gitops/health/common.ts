/** Helpers shared by the per-kind health checks (reading untyped objects safely). */
import type { Health, HealthStatus, KubeObject } from '../types.ts';

export type Obj = Record<string, unknown>;

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export function rec(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

export function spec(obj: KubeObject): Obj {
  return rec(obj.spec);
}

export function status(obj: KubeObject): Obj {
  return rec(obj.status);
}

/** A number field; `fallback` when absent or not a number (Go's zero value by default). */
export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function optNum(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function conditions(obj: KubeObject): Condition[] {
  const list = status(obj).conditions;
  if (!Array.isArray(list)) return [];
  return list
    .map(rec)
    .filter((c) => typeof c.type === 'string')
    .map((c) => ({ type: c.type as string, status: str(c.status), reason: str(c.reason) || undefined, message: str(c.message) || undefined }));
}

export function condition(obj: KubeObject, type: string): Condition | undefined {
  return conditions(obj).find((c) => c.type === type);
}

export function health(status: HealthStatus, message?: string): Health {
  return message ? { status, message } : { status };
}
