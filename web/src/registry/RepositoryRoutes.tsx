/**
 * /projects/:project/repositories/<repository…>[/artifacts/<reference>]: repository names may
 * contain slashes, so the rest of the path is split at its last "/artifacts/" (paths.ts).
 */
import { Navigate, useParams } from 'react-router';
import { ArtifactPage } from './ArtifactPage.tsx';
import { parseRepositoryPath, projectUrl } from './paths.ts';
import { RepositoryPage } from './RepositoryPage.tsx';

export function RepositoryRoutes() {
  const params = useParams();
  const project = params.project!;
  const { repository, reference } = parseRepositoryPath(params['*'] ?? '');
  if (repository === '') return <Navigate to={projectUrl(project)} replace />;
  if (reference !== undefined) return <ArtifactPage key={`${repository}@${reference}`} project={project} repository={repository} reference={reference} />;
  return <RepositoryPage key={repository} project={project} repository={repository} />;
}
