import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client.ts';

export type { PrismaClient };
export type Db = PrismaClient;

/** Prisma for admin CRUD and queries, on the same pool as the hot-path SQL. */
export function createPrisma(pool: pg.Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
