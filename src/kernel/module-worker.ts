import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module next to `importMetaUrl`, named without extension.
 *
 * Built code runs the compiled `.js` entry. Running from TypeScript sources (development, tests
 * under tsx or vitest) the thread first registers tsx's loader itself: a worker does not inherit
 * the parent's module hooks, and Node 20 ignores `--import` in a worker's `execArgv`.
 */
export function startModuleWorker(importMetaUrl: string, entry: string, workerData: unknown): Worker {
  if (!importMetaUrl.endsWith('.ts')) {
    return new Worker(new URL(`./${entry}.js`, importMetaUrl), { workerData });
  }
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const entryUrl = new URL(`./${entry}.ts`, importMetaUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entryUrl)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
