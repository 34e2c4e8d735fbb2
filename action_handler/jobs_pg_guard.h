/*
 * The PostgreSQL job store's guardrail operations (jobs_ops.guard of
 * jobs_pg.c): jobs_guard_create, the counts, approve/reject/cancel
 * transitions and the verification queue, with the meaning jobs.h gives
 * them.
 */
#ifndef ALEXIS_AH_JOBS_PG_GUARD_H
#define ALEXIS_AH_JOBS_PG_GUARD_H

struct jobs_guard_ops;

extern const struct jobs_guard_ops jobs_pg_guard_ops;

#endif
