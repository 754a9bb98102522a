/**
 * URLs of registry views. A repository name may contain slashes (team/app/api): its segments
 * are kept as path segments and the view parses the rest (RepositoryRoutes.tsx).
 */
export function projectUrl(project: string): string {
  return `/projects/${encodeURIComponent(project)}`;
}

export function repositoryUrl(project: string, repository: string): string {
  return `${projectUrl(project)}/repositories/${repository.split('/').map(encodeURIComponent).join('/')}`;
}

export function artifactUrl(project: string, repository: string, reference: string): string {
  return `${repositoryUrl(project, repository)}/artifacts/${encodeURIComponent(reference)}`;
}

/** The repository name within its project, from the API's full name (<project>/<repository>). */
export function withinProject(project: string, fullName: string): string {
  return fullName.startsWith(`${project}/`) ? fullName.slice(project.length + 1) : fullName;
}

/** `docker pull` of a repository, a tag, or a digest (a reference with ':' is a digest). */
export function pullCommand(host: string, project: string, repository: string, reference?: string): string {
  const ref = reference === undefined ? '' : reference.includes(':') ? `@${reference}` : `:${reference}`;
  return `docker pull ${host}/${project}/${repository}${ref}`;
}

/**
 * The rest of /projects/:project/repositories/… split into the repository (may contain
 * slashes) and, after its last "/artifacts/", the artifact reference.
 */
export function parseRepositoryPath(rest: string): { repository: string; reference?: string } {
  const trimmed = rest.replace(/\/+$/, '');
  const at = trimmed.lastIndexOf('/artifacts/');
  if (at <= 0) return { repository: trimmed };
  const raw = trimmed.slice(at + '/artifacts/'.length);
  let reference = raw;
  try {
    if (raw.includes('%')) reference = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded after all: keep it as written.
  }
  return { repository: trimmed.slice(0, at), reference };
}
