/** `npm run simulators`: all four platform simulators on one port (SIM_PORT, default 4010). */
import { loadConfigOrExit } from '../../common/config.server';
import { startSimulatorServer } from './sim/core';
import { allSimulators } from './sim/all';

const cfg = loadConfigOrExit();
const sims = await startSimulatorServer(allSimulators, { port: cfg.SIM_PORT, host: '127.0.0.1' });
process.stdout.write(
  `Platform simulators listening on ${sims.url}\n` +
    allSimulators.map((s) => `  ${s.platform.padEnd(10)} ${sims.baseUrl(s.platform)}`).join('\n') +
    `\n  control    ${sims.url}/_sim/state, /_sim/reset, /_sim/faults, /_sim/comments, /_sim/comments/edit, /_sim/latency\n`,
);
const stop = () => {
  void sims.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
