/**
 * The route table: /login outside the shell; every area's routes inside it, signed-in only.
 * Areas (web/src/<area>/index.tsx) export `routes` (relative paths) and `nav`.
 */
import { createBrowserRouter, Navigate } from 'react-router';
import * as access from '../access/index.tsx';
import * as delivery from '../delivery/index.tsx';
import * as platform from '../platform/index.tsx';
import * as registry from '../registry/index.tsx';
import { Layout } from './Layout.tsx';
import { LoginPage } from './LoginPage.tsx';
import { NotFound } from './NotFound.tsx';
import { RequireAuth } from './RequireAuth.tsx';
import { RouteError } from './RouteError.tsx';

const areas = [registry, delivery, platform, access];

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <Layout nav={areas.flatMap((a) => a.nav)} />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    children: [{ index: true, element: <Navigate to="/projects" replace /> }, ...areas.flatMap((a) => a.routes), { path: '*', element: <NotFound /> }],
  },
]);
