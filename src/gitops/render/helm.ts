/**
 * Helm sources: `helm template` on a chart directory in the tree, offline
 * (vendored dependencies only), with Helm's home directories in a temporary
 * directory.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import type { ApplicationSource } from '../model.ts';
import { RenderError } from './errors.ts';
import { resolveInside } from './paths.ts';

export type HelmOptions = NonNullable<ApplicationSource['helm']>;

/** Helm's release name rule (DNS-1123 subdomain, at most 53 characters). */
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Escapes unescaped commas so a parameter value stays one value (Argo CD's
 * cleanSetParameters); a `{a,b}` list is passed as is.
 */
export function escapeSetValue(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  let out = '';
  let prev = '';
  for (const ch of value) {
    out += ch === ',' && prev !== '\\' ? '\\,' : ch;
    prev = ch;
  }
  return out;
}

/**
 * The `helm template` arguments. Value files are resolved against the chart
 * directory and must stay in the tree; inline values are written to
 * `workDir/values-inline.yaml`.
 */
export async function helmTemplateArgs(input: {
  root: string;
  chartDir: string;
  helm: Partial<HelmOptions>;
  appName: string;
  namespace: string;
  workDir: string;
}): Promise<string[]> {
  const { helm } = input;
  const release = helm.releaseName || input.appName;
  if (release.length > 53 || !RELEASE_NAME.test(release)) {
    throw new RenderError(`helm release name "${release}" is invalid: lowercase letters, digits, "-" and ".", at most 53 characters`);
  }
  const args = ['template', release, input.chartDir, '--include-crds'];
  if (input.namespace) args.push('--namespace', input.namespace);
  for (const vf of helm.valueFiles ?? []) {
    args.push('--values', await resolveInside(input.root, vf, 'helm value file', input.chartDir));
  }
  let inline: string | undefined;
  if (helm.valuesObject !== undefined) inline = stringify(helm.valuesObject);
  else if (helm.values !== undefined && helm.values.trim() !== '') inline = helm.values;
  if (inline !== undefined) {
    const file = path.join(input.workDir, 'values-inline.yaml');
    await writeFile(file, inline, { mode: 0o600 });
    args.push('--values', file);
  }
  for (const p of helm.parameters ?? []) {
    if (!p.name || p.name.includes('=')) throw new RenderError(`helm parameter name "${p.name}" is invalid`);
    args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${escapeSetValue(p.value)}`);
  }
  return args;
}

/** Turns helm's message about unvendored dependencies into an actionable one. */
export function explainHelmFailure(err: RenderError): RenderError {
  if (/missing in charts\/ directory|dependency build|dependencies/.test(err.message) && /charts\/|dependenc/.test(err.message)) {
    return new RenderError(
      `${err.message}\nThe chart's dependencies are not vendored: Berth renders offline, so run \`helm dependency build\` and commit the charts/ directory.`,
      { code: err.code, cause: err },
    );
  }
  return err;
}
