/*
 * jsonfield.h: reading a field back from JSON the daemon wrote itself (a
 * cached object, a Kafka message of its own), where the writer guarantees
 * the shape: a missing or mistyped field reads as 0 or as a default rather
 * than as an error. Client input goes through proto_get_* instead, which
 * checks ranges and lengths. Any thread; nothing is allocated.
 */
#ifndef BOXOFFICE_SVC_JSONFIELD_H
#define BOXOFFICE_SVC_JSONFIELD_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* The number under key of o as int64_t, 0 when missing or not a number. */
int64_t jsonfield_i64(const cJSON *o, const char *key);
/* The string under key of o (borrowed from o), dflt when missing or not a string. */
const char *jsonfield_str(const cJSON *o, const char *key, const char *dflt);

#endif
