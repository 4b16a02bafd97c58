// aws-local-stepfunctions 3.x relies on Promise.withResolvers, which Node 20 lacks.
import '../infra/local/polyfills';
