export * from './users';
export * from './audit';
export * from './channels';
export * from './publishing';
export * from './register';
export * from './workers';
export * from './handover';
