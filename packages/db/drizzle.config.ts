import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` uses this file (it needs no database); the app applies the
// committed SQL in ./drizzle itself (src/migrate.ts), on PostgreSQL and on PGlite alike.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
  strict: true,
  verbose: true,
});
