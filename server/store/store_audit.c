/* store_audit.c: see store_audit.h. */
#include "store/store_audit.h"

#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/log.h"
#include "proto_json.h"
#include "store/db.h"

/* Cut s to at most max code points without splitting a UTF-8 sequence. */
static size_t clip(const char *s, size_t max)
{
	size_t i = 0, chars = 0;

	while (s[i] && chars < max) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		size_t k;
		for (k = 1; k < n && s[i + k]; k++)
			;
		i += k;
		chars++;
	}
	return i;
}

enum db_rc audit_log(struct worker *w, int64_t actor, const char *action, const char *target,
                     const char *detail)
{
	enum db_rc e;

	target = target ? target : "";
	detail = detail ? detail : "";
	e = db_exec(w,
	            "INSERT INTO audit (id, at, actor, action, target, detail) "
	            "VALUES (?, ?, ?, ?, ?, ?)",
	            DB_PARAMS(DB_I64(ids_next()), DB_I64(time(NULL)), DB_I64(actor),
	                      DB_STRN(action, clip(action, 64)),
	                      DB_STRN(target, clip(target, PROTO_LEN_NAME)),
	                      DB_STRN(detail, clip(detail, PROTO_LEN_TEXT))),
	            NULL, NULL);
	if (e != DB_OK) {
		log_error("cannot write audit '%s' by %lld", action, (long long)actor);
		return e;
	}
	return DB_OK;
}
