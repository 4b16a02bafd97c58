// One local Lambda function's sandbox (a worker thread with its own module graph and process.env): load
// TypeScript sources through tsx, then run the worker loop. See local/lambda-runtime.ts.
import { register } from 'tsx/esm/api';

register();
await import('./lambda-worker-main.ts');
