/*
 * conns.c: see conns.h. Connections are opened lazily by store/db.c and
 * cache/redis.c on first use; here only their handles are made.
 */
#include "svc/conns.h"

#include "cache/redis.h"
#include "store/db.h"

static int open_conns(struct worker *w)
{
	w->db = db_conn_new();
	w->redis = redis_conn_new();
	if (w->db && w->redis)
		return 0;
	db_conn_free(w->db);
	redis_conn_free(w->redis);
	w->db = NULL;
	w->redis = NULL;
	return -1;
}

static void close_conns(struct worker *w)
{
	db_conn_free(w->db);
	redis_conn_free(w->redis);
	w->db = NULL;
	w->redis = NULL;
}

const struct pool_conn_ops svc_conn_ops = {open_conns, close_conns};
