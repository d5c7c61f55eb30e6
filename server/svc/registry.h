/*
 * registry.h: every service the daemon serves, listed in one place (like
 * redis's command table). A service that is not listed in registry.c has no
 * routes; a table that is misspelt or missing fails the build.
 */
#ifndef BOXOFFICE_SVC_REGISTRY_H
#define BOXOFFICE_SVC_REGISTRY_H

#include "svc/dispatch.h"

/* The route tables and user hooks of the daemon, for dispatch_init. */
extern const struct dispatch_services svc_registry;

#endif
