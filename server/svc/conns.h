/*
 * conns.h: how a worker opens its MySQL and Redis connections (the hooks
 * core/pool.h calls). The daemon and the tests install them once with
 * pool_set_conn_ops(&svc_conn_ops) before starting workers.
 */
#ifndef BOXOFFICE_SVC_CONNS_H
#define BOXOFFICE_SVC_CONNS_H

#include "core/pool.h"

extern const struct pool_conn_ops svc_conn_ops;

#endif
