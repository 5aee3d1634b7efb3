/** The roles of the console: one list for the database enum, the permission table, forms and the CLI. */
export const roleValues = [
  'admin',
  'communications',
  'emergency',
  'employer_branding',
  'staff_host',
  'contact_centre',
  'registrar',
] as const;
export type Role = (typeof roleValues)[number];
