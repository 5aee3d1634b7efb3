/**
 * Plain-SQL helpers for the delivery worker's hot path. Drizzle's query builder costs about 0.5 ms of CPU per
 * statement (building the SQL for a 27-column table), several times the cost of the round trip itself; the worker
 * runs some twenty statements per delivery, and CPU is what limits how many deliveries start within a second of
 * their time (tests/bench). These helpers still take their column names and value encodings from the Drizzle
 * schema, so they stay in step with it.
 */
import { getTableColumns, is, param, Param, Placeholder, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { PgDialect, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Sql } from 'postgres';
import type { DbOrTx } from '../client';

type Row = Record<string, unknown>;

function columnsOf(table: PgTable): [string, PgColumn][] {
  return Object.entries(getTableColumns(table)) as [string, PgColumn][];
}

const columnCache = new WeakMap<PgTable, [string, PgColumn][]>();
function columns(table: PgTable): [string, PgColumn][] {
  let c = columnCache.get(table);
  if (!c) columnCache.set(table, (c = columnsOf(table)));
  return c;
}

/** A row (snake_case keys, as the driver or to_json returns them) as the table's select type. */
export function fromRow<T extends PgTable>(table: T, row: Row): T['$inferSelect'] {
  const out: Row = {};
  for (const [key, col] of columns(table)) {
    const v = row[col.name];
    out[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
  }
  return out as T['$inferSelect'];
}

/** `col = $n, …` for the keys present in the patch, each value encoded by its column. */
function assignments(table: PgTable, patch: Row): SQL {
  const parts: SQL[] = [];
  for (const [key, col] of columns(table)) {
    if (!(key in patch) || patch[key] === undefined) continue;
    const value = patch[key];
    parts.push(sql`${sql.identifier(col.name)} = ${value === null ? null : isSql(value) ? value : param(value, col)}`);
  }
  return sql.join(parts, sql`, `);
}

function isSql(value: unknown): value is SQL {
  return typeof value === 'object' && value !== null && 'queryChunks' in value;
}

/** The statement `UPDATE table SET … WHERE id = $id`; `updated_at` is set when the table has one. */
export function updateByIdSql<T extends PgTable>(table: T, id: string | number, patch: Partial<T['$inferInsert']>): SQL {
  const withStamp: Row = { ...patch };
  if ('updatedAt' in getTableColumns(table) && !('updatedAt' in withStamp)) withStamp.updatedAt = new Date();
  return sql`update ${table} set ${assignments(table, withStamp)} where id = ${id}`;
}

/** UPDATE table SET … WHERE id = $id (no RETURNING). */
export async function updateById<T extends PgTable>(
  db: DbOrTx,
  table: T,
  id: string | number,
  patch: Partial<T['$inferInsert']>,
): Promise<void> {
  await db.execute(updateByIdSql(table, id, patch));
}

/** The statement `INSERT INTO table (…) VALUES (…)`; columns left out take their database defaults. */
export function insertRowSql<T extends PgTable>(table: T, values: T['$inferInsert']): SQL {
  const names: SQLWrapper[] = [];
  const params: SQL[] = [];
  const v = values as Row;
  for (const [key, col] of columns(table)) {
    if (!(key in v) || v[key] === undefined) continue;
    names.push(sql.identifier(col.name));
    params.push(v[key] === null ? sql`null` : sql`${param(v[key], col)}`);
  }
  return sql`insert into ${table} (${sql.join(names as SQL[], sql`, `)}) values (${sql.join(params, sql`, `)})`;
}

const dialect = new PgDialect();

/** Named groups of values, as executeShaped takes them (one group per table written, say). */
export type ValueGroups = Record<string, object>;
type Values = Record<string, unknown>;

/** A parameter of a shape: a value of a group (with its column's encoder, if it has one), or a constant of the shape. */
type ShapeParam = { group: string; key: string; encoder: Param['encoder'] | null } | { constant: unknown };

interface Shape {
  text: string;
  params: ShapeParam[];
}

const shapes = new Map<string, Shape>();

/** The shape's name and, per group, the keys whose value is defined (an undefined value is left out, as Drizzle does). */
function shapeKey(name: string, groups: ValueGroups): string {
  let key = name;
  for (const group in groups) {
    key += `|${group}:`;
    const values = groups[group] as Values;
    for (const k in values) if (values[k] !== undefined) key += `${k},`;
  }
  return key;
}

/**
 * Runs a hot statement whose SQL text Drizzle builds once per shape instead of once per call (ADR 033): building
 * the text of the publish's finish statement (four tables, some forty values) was an eighth of a worker's busy time in
 * a burst. `build` is called once per shape, with a placeholder for every defined value of `groups`, and must not
 * depend on anything else that varies between calls: the shape is `name` plus the defined keys of each group. A
 * value is encoded by its column when filled in, as Drizzle encodes a parameter; a null stays SQL null.
 *
 * It runs as a named prepared statement. Drizzle sends every statement unnamed, and postgres.js describes an unnamed
 * statement that has parameters in a round trip of its own before it binds it: two round trips and a fresh parse and
 * plan per call. Prepared, a statement takes one round trip after its first use on a connection, and PostgreSQL keeps
 * its plan (postgres.js prepares it again if a migration changes a table under it). Only for statements with a few
 * shapes: each connection keeps every text it prepared, and so does this module. Inside a transaction (no pool
 * client of its own) it builds with the values and runs as Drizzle would.
 */
export async function executeShaped<T extends Row, G extends { [K in keyof G]: object }>(db: DbOrTx, name: string, groups: G, build: (values: G) => SQL): Promise<T[]> {
  if (!('$client' in db)) return (await db.execute<T>(build(groups))) as unknown as T[];
  const key = shapeKey(name, groups as ValueGroups);
  let shape = shapes.get(key);
  if (!shape) {
    const placeholders: ValueGroups = {};
    for (const group in groups) {
      const values = groups[group] as Values;
      const own: Record<string, unknown> = {};
      for (const k in values) if (values[k] !== undefined) own[k] = sql.placeholder(`${group}.${k}`);
      placeholders[group] = own;
    }
    const query = dialect.sqlToQuery(build(placeholders as G));
    shape = { text: query.sql, params: query.params.map(shapeParam) };
    shapes.set(key, shape);
  }
  const params = shape.params.map((p) => fill(p, groups as ValueGroups));
  return (await poolClientOf(db).unsafe(shape.text, params as never[], { prepare: true })) as unknown as T[];
}

function shapeParam(p: unknown): ShapeParam {
  const placeholder = is(p, Param) && is(p.value, Placeholder) ? p.value : is(p, Placeholder) ? p : null;
  if (!placeholder) return { constant: p };
  const dot = placeholder.name.indexOf('.');
  return { group: placeholder.name.slice(0, dot), key: placeholder.name.slice(dot + 1), encoder: is(p, Param) ? p.encoder : null };
}

function fill(p: ShapeParam, groups: ValueGroups): unknown {
  if ('constant' in p) return p.constant;
  const value = (groups[p.group] as Values)[p.key];
  if (value === null || value === undefined) return null;
  // SQL would have been part of the text; as a value it would be sent as a string.
  if (isSql(value)) throw new Error(`executeShaped: ${p.group}.${p.key} is SQL, not a value`);
  return p.encoder ? p.encoder.mapToDriverValue(value) : value;
}

/** The postgres.js pool under a Drizzle handle (Drizzle sets `$client`; its Db type does not say so). */
export function poolClientOf(db: DbOrTx): Sql {
  return (db as unknown as { $client: Sql }).$client;
}

/**
 * A handle on one reserved connection for executeShaped alone: a reserved postgres.js connection is not a whole
 * client, and Drizzle cannot wrap it (workers/delivery/warm.ts prepares the hot statements on each connection).
 */
export function onConnection(connection: Sql): DbOrTx {
  return { $client: connection } as unknown as DbOrTx;
}

/**
 * Several INSERT/UPDATE/DELETE statements as ONE statement (data-modifying CTEs): one round trip, all or nothing.
 * Only for statements that do not depend on each other's effects. (A SELECT with side effects, such as
 * graphile_worker.add_job, must not go here: an unreferenced SELECT in WITH is never run.)
 */
export async function executeAll(db: DbOrTx, statements: SQL[]): Promise<void> {
  if (statements.length === 0) return;
  if (statements.length === 1) {
    await db.execute(statements[0]!);
    return;
  }
  const ctes = statements.slice(0, -1).map((s, i) => sql`${sql.raw(`s${i}`)} as (${s})`);
  await db.execute(sql`with ${sql.join(ctes, sql`, `)} ${statements[statements.length - 1]!}`);
}

/** INSERT INTO table (…) VALUES (…); columns left out take their database defaults. */
export async function insertRow<T extends PgTable>(db: DbOrTx, table: T, values: T['$inferInsert'], returning: true): Promise<T['$inferSelect']>;
export async function insertRow<T extends PgTable>(db: DbOrTx, table: T, values: T['$inferInsert'], returning?: false): Promise<void>;
export async function insertRow<T extends PgTable>(
  db: DbOrTx,
  table: T,
  values: T['$inferInsert'],
  returning = false,
): Promise<T['$inferSelect'] | void> {
  const statement = insertRowSql(table, values);
  if (!returning) {
    await db.execute(statement);
    return;
  }
  const rows = await db.execute<Row>(sql`${statement} returning *`);
  const row = rows[0];
  if (!row) throw new Error('insert returned no row');
  return fromRow(table, row);
}
