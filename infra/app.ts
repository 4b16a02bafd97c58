import { App, Validations } from 'aws-cdk-lib';
import { CascadeStack } from './cascade-stack';

const app = new App();
new CascadeStack(app, 'Cascade', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// `CASCADE_CDK_NAG=1 npm run synth`: the AwsSolutions and Serverless packs; any unacknowledged finding fails
// the synth (acknowledgements and their reasons live next to the resources, see infra/acknowledgements.ts).
// cdk-nag is a dev dependency, so it is only loaded when asked for.
if (process.env.CASCADE_CDK_NAG === '1') {
  const { AwsSolutionsChecks, ServerlessChecks } = await import('cdk-nag');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
app.synth();
