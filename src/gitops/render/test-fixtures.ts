/** Helpers for the render tests (not a test file itself). */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ApplicationSource } from '../model.ts';

export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [p, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await writeFile(path.join(root, p), content);
  }
}

/** A source as callers may pass it: `extra` need not carry the schema's defaults. */
export function source(p: string, extra: object = {}): ApplicationSource {
  return { repoURL: 'https://git.example/r.git', targetRevision: 'HEAD', path: p, ...extra };
}
