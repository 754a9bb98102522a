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
