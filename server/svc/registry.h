/*
 * registry.h: every route the daemon serves, with its handler and access
 * flags, in one table (like redis's command table), so what is public and
 * what needs a role is read in one place. A route that is not listed in
 * registry.c is a 404; a misspelt handler fails the build.
 */
#ifndef BOXOFFICE_SVC_REGISTRY_H
#define BOXOFFICE_SVC_REGISTRY_H

#include "svc/dispatch.h"

/* The route table and user hooks of the daemon, for dispatch_init. */
extern const struct dispatch_services svc_registry;

#endif
