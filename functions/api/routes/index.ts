import type { Route } from '../route';
import { campaignRoutes } from './campaigns';
import { channelRoutes } from './channels';
import { consoleReadRoutes } from './console-reads';
import { leadRoutes } from './leads';
import { limitRoutes } from './limits';
import { operationRoutes } from './operations';
import { releaseRoutes } from './release';
import { schedulePreviewRoutes } from './schedule-preview';
import { senderAndAccountRoutes } from './senders';
import { taskRoutes } from './tasks';
import { variantMetricsRoutes } from './variant-metrics';
import { webhookRoutes } from './webhooks';

/** Every operator route but the OpenAPI document's own (openapi.ts adds it). */
export const API_ROUTES: readonly Route[] = [
  ...campaignRoutes,
  ...consoleReadRoutes,
  ...schedulePreviewRoutes,
  ...leadRoutes,
  ...releaseRoutes,
  ...channelRoutes,
  ...limitRoutes,
  ...senderAndAccountRoutes,
  ...variantMetricsRoutes,
  ...operationRoutes,
  ...taskRoutes,
  ...webhookRoutes,
];
