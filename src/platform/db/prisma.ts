import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { type Prisma, PrismaClient } from '../../generated/prisma/client.ts';

export type { PrismaClient };
export type Db = PrismaClient;

/**
 * The Prisma client or an interactive transaction's client: functions that take it compose into
 * their caller's transaction (`db.$transaction((tx) => step(tx, ...))`) or run on their own.
 */
export type DbOrTx = Db | Prisma.TransactionClient;

/** Prisma for admin CRUD and queries, on the same pool as the hot-path SQL. */
export function createPrisma(pool: pg.Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
