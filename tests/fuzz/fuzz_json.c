/*
 * fuzz_json.c: libFuzzer harness for the request body decoder.
 *
 * Any input: proto_json_parse must not crash, leak or read past len. For an
 * accepted body it checks the promises of proto_json.h (an object, depth at
 * most PROTO_MAX_DEPTH), runs every getter on a few keys (fixed ones and the
 * body's own), and renders both envelopes with the body as data: each
 * rendering must be JSON again and end in "data":<the body printed alone>.
 * (A tree comparison would not do: duplicate keys and 1e999, printed as
 * null, are legal input.)
 *
 *   clang -fsanitize=fuzzer,address,undefined -I protocol tests/fuzz/fuzz_json.c \
 *       protocol/proto_*.c $(pkg-config --cflags --libs libcjson)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_error.h"
#include "proto_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static void get_all(const cJSON *obj, const char *key)
{
	const char *s = NULL;
	int64_t v = 0;
	int rc;

	rc = proto_get_int(obj, key, INT64_MIN, INT64_MAX, &v);
	check(rc >= -1 && rc <= 1);
	check(rc != 1 || (v >= -PROTO_MAX_ID && v <= PROTO_MAX_ID));
	rc = proto_get_int(obj, key, 0, 100, &v);
	check(rc != 1 || (v >= 0 && v <= 100));
	rc = proto_get_id(obj, key, &v);
	check(rc != 1 || (v >= 1 && v <= PROTO_MAX_ID));
	rc = proto_get_str(obj, key, PROTO_LEN_NAME, &s);
	check(rc != 1 || (s && proto_utf8_len(s) >= 0 && proto_utf8_len(s) <= PROTO_LEN_NAME));
	rc = proto_get_str(obj, key, 0, &s);
	check(rc != 1 || (s && s[0] == '\0'));
}

/* The rendering parses back and carries data unchanged, last. */
static void check_rendered(char *s, size_t len, const char *data)
{
	size_t n = strlen(data);
	cJSON *back;

	check(s != NULL && strlen(s) == len);
	back = cJSON_ParseWithLength(s, len);
	check(back != NULL);
	check(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(back, "code")));
	check(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(back, "msg")));
	cJSON_Delete(back);
	check(len > n + 8);
	check(memcmp(s + len - n - 8, "\"data\":", 7) == 0);
	check(memcmp(s + len - n - 1, data, n) == 0 && s[len - 1] == '}');
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"id", "name", "page", "a", "", "seats"};
	enum proto_err err = PROTO_ERR__COUNT;
	const cJSON *c;
	cJSON *obj;
	char *text, *printed, *s;
	size_t i, len;

	obj = proto_json_parse((const char *)data, size, &err);
	if (!obj) {
		check(err == PROTO_ERR_BAD_REQUEST ||
		      (err == PROTO_ERR_TOO_LARGE && size > PROTO_MAX_BODY));
	} else {
		check(err == PROTO_OK && size <= PROTO_MAX_BODY);
		check(cJSON_IsObject(obj));
		check(proto_json_depth(obj) >= 1 && proto_json_depth(obj) <= PROTO_MAX_DEPTH);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			get_all(obj, keys[i]);
		for (c = obj->child, i = 0; c && i < 8; c = c->next, i++)
			if (c->string)
				get_all(obj, c->string);
		/* getters on a non-object answer "absent" */
		if (obj->child)
			get_all(obj->child, "id");

		/* len is read after the call that sets it, so not as a sibling argument */
		printed = cJSON_PrintUnformatted(obj);
		if (printed) {
			s = proto_render_ok(obj, &len);
			check_rendered(s, len, printed);
			s = proto_render_error(PROTO_ERR_INVALID_FIELD, NULL, obj, &len);
			check_rendered(s, len, printed);
			cJSON_free(printed);
		}
		cJSON_Delete(obj);
	}

	/* the input as a C string through the UTF-8 counter */
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		check(proto_utf8_len(text) <= (long)size);
		free(text);
	}
	return 0;
}
