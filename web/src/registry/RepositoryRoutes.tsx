/**
 * /projects/:project/repositories/<repository…>[/artifacts/<reference>]: repository names may
 * contain slashes, so the rest of the path is split at its last "/artifacts/".
 */
import { Navigate, useParams } from 'react-router';
import { ArtifactPage } from './ArtifactPage.tsx';
import { projectUrl } from './paths.ts';
import { RepositoryPage } from './RepositoryPage.tsx';

export function RepositoryRoutes() {
  const params = useParams();
  const project = params.project!;
  const rest = (params['*'] ?? '').replace(/\/+$/, '');
  const at = rest.lastIndexOf('/artifacts/');
  if (at > 0) {
    const repository = rest.slice(0, at);
    const reference = safeDecode(rest.slice(at + '/artifacts/'.length));
    return <ArtifactPage key={`${repository}@${reference}`} project={project} repository={repository} reference={reference} />;
  }
  if (rest === '') return <Navigate to={projectUrl(project)} replace />;
  return <RepositoryPage key={rest} project={project} repository={rest} />;
}

function safeDecode(s: string): string {
  try {
    return s.includes('%') ? decodeURIComponent(s) : s;
  } catch {
    return s;
  }
}
