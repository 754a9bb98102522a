/** Response and body types picked out of the generated schema by path and method. */
import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Ok<Op> = Op extends { responses: infer Rs } ? Json<Rs[200 & keyof Rs]> | Json<Rs[201 & keyof Rs]> : never;

/** The JSON answered by a successful GET of path P. */
export type GetResult<P extends keyof paths> = Ok<paths[P]['get']>;
/** An element of a list answered by a GET of path P. */
export type ListItem<P extends keyof paths> = GetResult<P> extends (infer T)[] ? T : never;
/** The JSON body of method M on path P. */
export type Body<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;
