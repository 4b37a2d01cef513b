#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { openBackend } from './adapters/open-backend.js';
import { EXPORT_FILTER_FLAGS, runExport } from './cli/export-command.js';
import { type Config, loadConfig } from './config/config.js';
import { ConfigError } from './config/env-parsers.js';
import { systemClock } from './kernel/clock.js';
import { createLogger } from './kernel/logger.js';
import { ROLES, type Role, startClickwire } from './main.js';
import { TenancyService } from './tenancy/tenancy-service.js';

const HELP = `clickwire — self-hosted real-time click tracking

Usage:
  clickwire start [--role all|edge|processor|dispatcher|api]
                                          Start Clickwire (default: all roles in one process)
  clickwire migrate                       Apply pending store migrations and exit
  clickwire workspaces create --name NAME Create a workspace; prints its first admin key once
  clickwire export --format ndjson|csv --out FILE [--resume] [--link-id ID] [--occurred-after T] …
                                          Export clicks through the API (any filter of GET /v1/clicks as
                                          --kebab-case flags); CLICKWIRE_API_KEY, --api-url (default: local API)
  clickwire --help                        Show this help

Configuration comes from CLICKWIRE_* environment variables; see README.md.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      role: { type: 'string', default: 'all' },
      name: { type: 'string' },
      format: { type: 'string', default: 'ndjson' },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      'api-url': { type: 'string' },
      ...Object.fromEntries(
        EXPORT_FILTER_FLAGS.map((flag) => [flag.replaceAll('_', '-'), { type: 'string' as const }]),
      ),
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, subcommand] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(HELP);
    return 0;
  }
  const config = loadConfig(process.env);
  switch (command) {
    case 'start':
      return start(config, values.role);
    case 'migrate':
      return migrate(config);
    case 'export':
      return exportClicks(config, values);
    case 'workspaces':
      if (subcommand === 'create' && values.name) return createWorkspace(config, values.name);
      console.error('usage: clickwire workspaces create --name NAME');
      return 2;
    default:
      console.error(`unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

async function start(config: Config, roleArg: string | undefined): Promise<number> {
  const role = ROLES.find((r) => r === roleArg);
  if (role === undefined) {
    console.error(`--role=${roleArg} is not valid: expected one of ${ROLES.join(', ')}`);
    return 2;
  }
  const logger = createLogger(config.logLevel);
  const running = await startClickwire(config, { role: role as Role, logger });
  if (running.generatedBootstrapKey)
    printOnce('Bootstrap admin API key (shown once, store it now)', running.generatedBootstrapKey);

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'draining before exit');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // A drain that overruns the configured timeout must not keep the process hanging.
  const watchdog = setTimeout(() => {
    logger.error('drain exceeded CLICKWIRE_SHUTDOWN_TIMEOUT_MS; exiting');
    process.exit(1);
  }, config.shutdownTimeoutMs + 2_000);
  watchdog.unref();
  await running.stop();
  return 0;
}

async function migrate(config: Config): Promise<number> {
  // Opening the backend applies pending migrations.
  const backend = await openBackend(config);
  await backend.close();
  console.log(`store at ${config.dataDir} is up to date`);
  return 0;
}

async function createWorkspace(config: Config, name: string): Promise<number> {
  const backend = await openBackend(config);
  try {
    const tenancy = new TenancyService({
      workspaces: backend.workspaces,
      apiKeys: backend.apiKeys,
      clock: systemClock,
    });
    await tenancy.bootstrap(config.bootstrapApiKey);
    const { workspace, issued } = await tenancy.createWorkspace(name);
    console.log(
      JSON.stringify({ workspace_id: workspace.workspaceId, name: workspace.name, key_id: issued.key.keyId }),
    );
    printOnce(`Admin API key of ${workspace.workspaceId} (shown once, store it now)`, issued.secret);
    return 0;
  } finally {
    await backend.close();
  }
}

async function exportClicks(config: Config, values: Record<string, unknown>): Promise<number> {
  const format = values.format;
  const out = values.out;
  const apiKey = process.env.CLICKWIRE_API_KEY;
  if ((format !== 'ndjson' && format !== 'csv') || typeof out !== 'string' || !apiKey) {
    console.error(
      'usage: CLICKWIRE_API_KEY=cw_live_… clickwire export --format ndjson|csv --out FILE [--resume] [filters]',
    );
    return 2;
  }
  const filters: Record<string, string> = {};
  for (const flag of EXPORT_FILTER_FLAGS) {
    const value = values[flag.replaceAll('_', '-')];
    if (typeof value === 'string') filters[flag] = value;
  }
  const apiUrl =
    typeof values['api-url'] === 'string' ? values['api-url'] : `http://127.0.0.1:${config.apiPort}`;
  const result = await runExport({
    apiUrl,
    apiKey,
    format,
    out,
    filters,
    resume: values.resume === true,
    progress: process.stderr,
  });
  console.error(`wrote ${result.rows} clicks to ${out}`);
  return 0;
}

function printOnce(title: string, secret: string): void {
  process.stderr.write(`\n  ${title}:\n\n    ${secret}\n\n`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`clickwire: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    console.error('clickwire: failed to start:', error);
    process.exitCode = 1;
  },
);
