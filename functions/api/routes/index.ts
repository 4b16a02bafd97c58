import type { Route } from '../route';
import { campaignRoutes } from './campaigns';
import { channelRoutes } from './channels';
import { leadRoutes } from './leads';
import { operationRoutes } from './operations';
import { releaseRoutes } from './release';
import { taskRoutes } from './tasks';

/** Every operator route but the OpenAPI document's own (openapi.ts adds it). */
export const API_ROUTES: readonly Route[] = [
  ...campaignRoutes,
  ...leadRoutes,
  ...releaseRoutes,
  ...channelRoutes,
  ...operationRoutes,
  ...taskRoutes,
];
