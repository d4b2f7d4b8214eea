// Prisma CLI configuration. The CLI is used only for `prisma generate` here: migrations are
// applied by src/platform/db/migrator.ts (see README, "Migrations").
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' },
});
