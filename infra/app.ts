import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CascadeStack } from './cascade-stack';

const app = new App();
new CascadeStack(app, 'Cascade', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
if (process.env.CASCADE_CDK_NAG === '1') Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
