import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app';
import { completeCognitoSignIn } from './auth';
import { loadConfig } from './config';

/** Boot: finish a Cognito redirect if the page is coming back from the hosted UI, then render the app. */
async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  let problem: string | undefined;
  try {
    const next = await completeCognitoSignIn(await loadConfig());
    if (next) location.hash = next;
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
    location.hash = '#/login';
  }
  if (problem) sessionStorage.setItem('cascade.console.loginError', problem);
  render(<App />, root);
}

void boot();
