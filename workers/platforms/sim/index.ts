/** The simulators' public face: `npm start` and the drills run them beside the console (ADR 004, ADR 006). */
export { startSimulatorServer, SimulatorHub } from './core';
export { allSimulators } from './all';
export { demoAccounts, type DemoAccount } from './demo-accounts';
export { demoCredentials } from '../demo-credentials';
