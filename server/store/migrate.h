/*
 * migrate.h: applies the numbered migrations of sql/ (embedded in the binary
 * at build time) in order, each once, recording them in schema_version.
 * Instances starting together serialise on a MySQL named lock.
 * Worker-like threads only (main before the loop starts, or --migrate).
 */
#ifndef BOXOFFICE_STORE_MIGRATE_H
#define BOXOFFICE_STORE_MIGRATE_H

struct worker;

/* Returns the number of migrations applied now (>= 0), or -1 (logged). */
int migrate_run(struct worker *w);

#endif
