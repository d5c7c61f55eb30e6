/*
 * harness.c: the integration tests' client of the fixture stack (see
 * harness.h). One libcurl easy handle per request, so any thread may send
 * requests; the helpers with static buffers (it_unique, it_random_source, ...)
 * belong to the main thread. Every function reports failure by returning
 * NULL or -1 and printing why; none of them aborts.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#ifndef IT_STACK_SH
#define IT_STACK_SH "tests/stack.sh"
#endif

#define IT_MAX_ENV 64
#define IT_MAX_BODY (16 * 1024 * 1024)
#define IT_TIMEOUT_S 30L
#define IT_CODE_WAIT_MS 5000

static struct {
	char *key;
	char *val;
} env_kv[IT_MAX_ENV];
static int env_n;
static char stack_dir[PATH_MAX];
static char source_addr[32];
static char base_url[64]; /* it_set_base: "" = the stack's daemon */
static int curl_ready;

/* --- env ------------------------------------------------------------------ */

static void env_clear(void)
{
	for (int i = 0; i < env_n; i++) {
		free(env_kv[i].key);
		free(env_kv[i].val);
	}
	env_n = 0;
}

static void harness_atexit(void)
{
	env_clear();
	if (curl_ready)
		curl_global_cleanup();
}

int it_setup(void)
{
	const char *dir = getenv("BOXOFFICE_TEST_STACK");
	char path[PATH_MAX + 8], line[4096];
	FILE *f = NULL;
	int rc = -1;

	if (dir == NULL || *dir == '\0') {
		fprintf(stderr, "it_setup: BOXOFFICE_TEST_STACK is not set (run through ctest)\n");
		return -1;
	}
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			fprintf(stderr, "it_setup: curl_global_init failed\n");
			return -1;
		}
		curl_ready = 1;
		atexit(harness_atexit);
	}
	snprintf(stack_dir, sizeof(stack_dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/env", dir);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "it_setup: cannot open '%s': %s\n", path, strerror(errno));
		goto out;
	}
	env_clear();
	while (fgets(line, sizeof(line), f) != NULL && env_n < IT_MAX_ENV) {
		char *eq = strchr(line, '=');
		size_t n = strcspn(line, "\r\n");

		line[n] = '\0';
		if (eq == NULL || line[0] == '#')
			continue;
		*eq = '\0';
		env_kv[env_n].key = strdup(line);
		env_kv[env_n].val = strdup(eq + 1);
		if (env_kv[env_n].key == NULL || env_kv[env_n].val == NULL) {
			free(env_kv[env_n].key);
			free(env_kv[env_n].val);
			goto out;
		}
		env_n++;
	}
	if (it_env("BOXOFFICE_URL") == NULL) {
		fprintf(stderr, "it_setup: '%s' has no BOXOFFICE_URL\n", path);
		goto out;
	}
	it_set_source(it_random_source());
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	return rc;
}

const char *it_env(const char *key)
{
	for (int i = 0; i < env_n; i++)
		if (strcmp(env_kv[i].key, key) == 0)
			return env_kv[i].val;
	return NULL;
}

/* --- requests ------------------------------------------------------------- */

struct buf {
	char *p;
	size_t len;
	size_t cap;
	int overflow;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb;

	if (b->len + n + 1 > IT_MAX_BODY) {
		b->overflow = 1;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (p == NULL)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, ptr, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

static void header_value(const char *line, size_t n, size_t name_len, char *out, size_t outlen)
{
	const char *v = line + name_len;
	const char *end = line + n;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	n = (size_t)(end - v);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct it_resp *r = ud;
	size_t n = size * nmemb;
	static const struct {
		const char *name;
		size_t off;
		size_t len;
	} want[] = {
	    {"x-request-id:", offsetof(struct it_resp, request_id), sizeof(r->request_id)},
	    {"retry-after:", offsetof(struct it_resp, retry_after), sizeof(r->retry_after)},
	    {"content-type:", offsetof(struct it_resp, content_type), sizeof(r->content_type)},
	    {"allow:", offsetof(struct it_resp, allow), sizeof(r->allow)},
	    {"traceparent:", offsetof(struct it_resp, traceparent), sizeof(r->traceparent)},
	};

	/* A new status line (after a 100 Continue) starts a new header block. */
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		r->request_id[0] = r->retry_after[0] = r->content_type[0] = r->allow[0] = '\0';
		r->traceparent[0] = '\0';
		return n;
	}
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t l = strlen(want[i].name);

		if (n > l && strncasecmp(ptr, want[i].name, l) == 0)
			header_value(ptr, n, l, (char *)r + want[i].off, want[i].len);
	}
	return n;
}

static int has_header(const char *const *headers, const char *name)
{
	size_t l = strlen(name);

	for (; headers != NULL && *headers != NULL; headers++)
		if (strncasecmp(*headers, name, l) == 0 && (*headers)[l] == ':')
			return 1;
	return 0;
}

/*
 * With two daemons (BOXOFFICE_URL2 in the env file) requests alternate
 * between them, as a load balancer without stickiness would send them: a
 * hold made on one is ordered on the other, paid on the first, and so on.
 */
const char *it_base_url(void)
{
	static atomic_uint turn;
	const char *second = it_env("BOXOFFICE_URL2");

	if (second && *second && (atomic_fetch_add(&turn, 1) & 1))
		return second;
	return it_env("BOXOFFICE_URL");
}

int it_daemons(void)
{
	const char *second = it_env("BOXOFFICE_URL2");

	return second && *second ? 2 : 1;
}

const char *it_daemon_url(int i)
{
	return it_env(i == 0 ? "BOXOFFICE_URL" : "BOXOFFICE_URL2");
}

/* /metrics and /healthz describe one instance: the first, where the tests' WebSockets are. */
static const char *base_for(const char *path)
{
	if (!strncmp(path, "/metrics", 8) || !strncmp(path, "/healthz", 8))
		return it_env("BOXOFFICE_URL");
	return it_base_url();
}

struct it_resp *it_request(const char *method, const char *path, const char *const *headers,
                           const char *body, size_t body_len)
{
	const char *base = base_url[0] ? base_url : path ? base_for(path) : NULL;
	struct it_resp *r = NULL;
	struct curl_slist *hl = NULL, *tmp;
	struct buf b = {0};
	char url[2048], errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode cc;

	if (base == NULL || method == NULL || path == NULL) {
		fprintf(stderr, "it_request: no stack (call it_setup first)\n");
		return NULL;
	}
	if ((size_t)snprintf(url, sizeof(url), "%s%s", base, path) >= sizeof(url)) {
		fprintf(stderr, "it_request: url too long\n");
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	c = curl_easy_init();
	if (r == NULL || c == NULL)
		goto fail;
	for (const char *const *h = headers; h != NULL && *h != NULL; h++) {
		if ((tmp = curl_slist_append(hl, *h)) == NULL)
			goto fail;
		hl = tmp;
	}
	/* Bodies are JSON unless the caller says otherwise; no 100-continue dance. */
	if (body != NULL && !has_header(headers, "Content-Type")) {
		if ((tmp = curl_slist_append(hl, "Content-Type: application/json")) == NULL)
			goto fail;
		hl = tmp;
	}
	if (!has_header(headers, "Expect")) {
		if ((tmp = curl_slist_append(hl, "Expect:")) == NULL)
			goto fail;
		hl = tmp;
	}

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, IT_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (source_addr[0] != '\0')
		curl_easy_setopt(c, CURLOPT_INTERFACE, source_addr);

	if (strcmp(method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		else
			curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
	}

	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		fprintf(stderr, "it_request: %s %s: %s\n", method, path,
		        errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto fail;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	if (b.p == NULL && (b.p = calloc(1, 1)) == NULL)
		goto fail;
	r->body = b.p;
	r->len = b.len;
	r->json = cJSON_ParseWithLength(r->body, r->len);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	return r;
fail:
	free(b.p);
	free(r);
	curl_slist_free_all(hl);
	if (c != NULL)
		curl_easy_cleanup(c);
	return NULL;
}

struct it_resp *it_post(const char *path, const char *token, const char *json)
{
	char auth[4096];
	const char *hdr[2] = {NULL, NULL};

	if (token != NULL) {
		if ((size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token) >=
		    sizeof(auth)) {
			fprintf(stderr, "it_post: token too long\n");
			return NULL;
		}
		hdr[0] = auth;
	}
	return it_request("POST", path, hdr, json ? json : "", json ? strlen(json) : 0);
}

struct it_resp *it_postf(const char *path, const char *token, const char *fmt, ...)
{
	struct it_resp *r;
	char *body = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fprintf(stderr, "it_postf: out of memory\n");
		return NULL;
	}
	r = it_post(path, token, body);
	free(body);
	return r;
}

void it_resp_free(struct it_resp *r)
{
	if (r == NULL)
		return;
	cJSON_Delete(r->json);
	free(r->body);
	free(r);
}

const char *it_err(const struct it_resp *r)
{
	const cJSON *e;

	if (r == NULL || r->json == NULL)
		return "";
	e = cJSON_GetObjectItemCaseSensitive(r->json, "error");
	return cJSON_IsString(e) ? e->valuestring : "";
}

cJSON *it_data(const struct it_resp *r)
{
	cJSON *d;

	if (r == NULL || r->json == NULL)
		return NULL;
	d = cJSON_GetObjectItemCaseSensitive(r->json, "data");
	return cJSON_IsObject(d) ? d : NULL;
}

int64_t it_data_int(const struct it_resp *r, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(it_data(r), key);

	if (!cJSON_IsNumber(v))
		return INT64_MIN;
	return (int64_t)v->valuedouble;
}

const char *it_data_str(const struct it_resp *r, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(it_data(r), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* --- source addresses and unique values -------------------------------------- */

void it_set_source(const char *addr)
{
	if (addr == NULL)
		source_addr[0] = '\0';
	else
		snprintf(source_addr, sizeof(source_addr), "%s", addr);
}

static unsigned long rnd(void)
{
	static unsigned long state;
	unsigned long v = 0;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t n = read(fd, &v, sizeof(v));

		close(fd);
		if (n == (ssize_t)sizeof(v))
			return v;
	}
	/* no /dev/urandom: a xorshift seeded by pid and time is enough for tests */
	if (state == 0)
		state = ((unsigned long)getpid() << 32) ^ (unsigned long)time(NULL) ^ 0x9e3779b9UL;
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

const char *it_random_source(void)
{
	static char buf[32];
	unsigned long v = rnd();

	/* 127.a.b.c with a, b, c in 1..254: never 127.0.0.1, never a .0 or .255 */
	snprintf(buf, sizeof(buf), "127.%lu.%lu.%lu", 1 + v % 254, 1 + (v >> 8) % 254,
	         1 + (v >> 16) % 254);
	return buf;
}

/*
 * A number unique within the stack's life, shared by every test process
 * through a counter file under the fixture's folder (flock). Falls back to
 * a per-process value when the file cannot be used.
 */
static unsigned long next_serial(void)
{
	static unsigned long local;
	char path[PATH_MAX + 16], buf[32] = "";
	unsigned long v = 0;
	int fd = -1;
	ssize_t n;

	if (stack_dir[0] == '\0')
		goto fallback;
	snprintf(path, sizeof(path), "%s/it_serial", stack_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || flock(fd, LOCK_EX) != 0)
		goto fallback;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = '\0';
		v = strtoul(buf, NULL, 10);
	}
	v++;
	n = snprintf(buf, sizeof(buf), "%lu\n", v);
	if (pwrite(fd, buf, (size_t)n, 0) != n || ftruncate(fd, n) != 0)
		goto fallback;
	close(fd);
	return v;
fallback:
	if (fd >= 0)
		close(fd);
	return 900000000UL + ((unsigned long)getpid() % 1000) * 100000UL + (++local % 100000);
}

const char *it_unique(const char *prefix)
{
	static char bufs[8][128];
	static unsigned slot;
	char *b = bufs[slot++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s%lu-%ld-%ld", prefix ? prefix : "", next_serial(),
	         (long)getpid(), (long)time(NULL));
	return b;
}

const char *it_unique_mobile(void)
{
	static char bufs[8][16];
	static unsigned slot;
	char *b = bufs[slot++ % 8];

	/* "15" and 9 digits: a valid mobile number, never the admin's 138... */
	snprintf(b, sizeof(bufs[0]), "15%09lu", next_serial() % 1000000000UL);
	return b;
}

const char *it_unique_email(void)
{
	static char bufs[8][96];
	static unsigned slot;
	char *b = bufs[slot++ % 8];

	snprintf(b, sizeof(bufs[0]), "u%lu.%ld@example.test", next_serial(), (long)getpid());
	return b;
}

/* --- codes from the sinks ------------------------------------------------------ */

static char *slurp(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	char *p;
	size_t n;

	if (f == NULL)
		return NULL;
	p = malloc(max + 1);
	if (p == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(p, 1, max, f);
	p[n] = '\0';
	fclose(f);
	return p;
}

/* The first run of exactly six digits in s, copied into out[7]. */
static int six_digits(const char *s, char *out)
{
	for (const char *p = s; *p != '\0'; p++) {
		size_t n = 0;

		if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1])))
			continue;
		while (isdigit((unsigned char)p[n]))
			n++;
		if (n == 6) {
			memcpy(out, p, 6);
			out[6] = '\0';
			return 0;
		}
		p += n - 1;
	}
	return -1;
}

/* Decode base64 text (skipping anything else: line ends, padding) in place. */
static void b64_decode(char *s)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	char *o = s;

	for (const char *p = s; *p != '\0'; p++) {
		const char *v = strchr(abc, *p);

		if (v == NULL)
			continue;
		acc = (acc << 6) | (unsigned)(v - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			*o++ = (char)((acc >> bits) & 0xff);
		}
	}
	*o = '\0';
}

/* Is addr one of the comma-separated addresses of list (case-insensitive)? */
static int rcpt_listed(const char *list, const char *addr)
{
	size_t al = strlen(addr);

	while (*list != '\0') {
		const char *end;
		size_t l;

		while (*list == ' ' || *list == ',' || *list == '\t')
			list++;
		end = list + strcspn(list, ",\r\n");
		l = (size_t)(end - list);
		while (l > 0 && list[l - 1] == ' ')
			l--;
		if (l == al && strncasecmp(list, addr, al) == 0)
			return 1;
		list = end;
		while (*list == '\r' || *list == '\n')
			list++;
	}
	return 0;
}

/* The code in one stored message (.eml) for rcpt, or -1. */
static int mail_code_in(const char *path, const char *rcpt, char *code)
{
	char *m = slurp(path, 256 * 1024), *eol, *body;
	int rc = -1;

	if (m == NULL || strncasecmp(m, "X-Rcpt:", 7) != 0)
		goto out;
	eol = strchr(m, '\n');
	if (eol == NULL)
		goto out;
	*eol = '\0';
	if (!rcpt_listed(m + 7, rcpt))
		goto out;
	*eol = '\n';
	/* the body starts after the first empty line of the message proper */
	body = strstr(eol + 1, "\r\n\r\n");
	body = body ? body + 4 : strstr(eol + 1, "\n\n");
	if (body == NULL)
		goto out;
	if (six_digits(body, code) == 0) {
		rc = 0;
		goto out;
	}
	if (strcasestr(eol, "Content-Transfer-Encoding: base64") != NULL) {
		b64_decode(body);
		rc = six_digits(body, code);
	}
out:
	free(m);
	return rc;
}

static int sms_code_in(const char *path, const char *phone, char *code)
{
	char *m = slurp(path, 64 * 1024);
	cJSON *j = NULL;
	const cJSON *ph, *tx;
	int rc = -1;

	if (m == NULL || (j = cJSON_Parse(m)) == NULL)
		goto out;
	ph = cJSON_GetObjectItemCaseSensitive(j, "phone");
	tx = cJSON_GetObjectItemCaseSensitive(j, "text");
	if (!cJSON_IsString(ph) || !cJSON_IsString(tx) || strcmp(ph->valuestring, phone) != 0)
		goto out;
	rc = six_digits(tx->valuestring, code);
out:
	cJSON_Delete(j);
	free(m);
	return rc;
}

/* Newest matching file of dir (highest number) holding a code, waiting up to 5 s. */
static char *newest_code(const char *dirkey, const char *suffix, const char *who,
                         int (*match)(const char *, const char *, char *))
{
	const char *dir = it_env(dirkey);
	size_t sl = strlen(suffix);

	if (dir == NULL || who == NULL) {
		fprintf(stderr, "it_*_code: %s is not set\n", dirkey);
		return NULL;
	}
	for (int waited = 0; waited <= IT_CODE_WAIT_MS; waited += 50) {
		DIR *d = opendir(dir);
		struct dirent *e;
		long best = -1;
		char code[8], best_code[8] = "";

		while (d != NULL && (e = readdir(d)) != NULL) {
			char path[PATH_MAX], *end;
			size_t l = strlen(e->d_name);
			long n;

			if (l <= sl || strcmp(e->d_name + l - sl, suffix) != 0 ||
			    !isdigit((unsigned char)e->d_name[0]))
				continue;
			n = strtol(e->d_name, &end, 10);
			if (end != e->d_name + l - sl || n <= best)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (match(path, who, code) == 0) {
				best = n;
				memcpy(best_code, code, sizeof(code));
			}
		}
		if (d != NULL)
			closedir(d);
		if (best >= 0)
			return strdup(best_code);
		usleep(50 * 1000);
	}
	fprintf(stderr, "it_*_code: no code for '%s' in %s within %d ms\n", who, dir,
	        IT_CODE_WAIT_MS);
	return NULL;
}

char *it_mail_code(const char *email)
{
	return newest_code("MAIL_DIR", ".eml", email, mail_code_in);
}

char *it_sms_code(const char *phone)
{
	return newest_code("SMS_DIR", ".json", phone, sms_code_in);
}

/* --- users ------------------------------------------------------------------ */

static char *token_of(struct it_resp *r, const char *what)
{
	const char *t = it_data_str(r, "accessToken");

	if (r == NULL || r->status != 200 || t == NULL) {
		fprintf(stderr, "%s: login failed: HTTP %ld %s\n", what, r ? r->status : -1L,
		        r && r->body ? r->body : "(no answer)");
		return NULL;
	}
	return strdup(t);
}

/*
 * POST a login, waiting out a 429 once (the per-mobile limit is 10/min, and
 * every test program logs in as the same admin).
 */
static struct it_resp *login(const char *path, const char *mobile, const char *password)
{
	struct it_resp *r = NULL;

	for (int attempt = 0; attempt < 3; attempt++) {
		it_resp_free(r);
		r = it_postf(path, NULL, "{\"mobile\":\"%s\",\"password\":\"%s\"}", mobile,
		             password);
		if (r == NULL || r->status != 429)
			break;
		int secs = atoi(r->retry_after);
		sleep((unsigned)(secs > 0 && secs <= 65 ? secs : 5));
	}
	return r;
}

/*
 * The admin's token is shared by the test programs through a file in the
 * fixture's folder (younger than an hour), so they do not all log in.
 */
char *it_admin_token(void)
{
	const char *mobile = it_env("ADMIN_MOBILE"), *password = it_env("ADMIN_PASSWORD");
	char path[PATH_MAX + 16], *tok = NULL;
	struct it_resp *r = NULL;
	struct stat st;
	int fd = -1;

	if (mobile == NULL || password == NULL) {
		fprintf(stderr,
		        "it_admin_token: ADMIN_MOBILE/ADMIN_PASSWORD not in the env file\n");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/it_admin_token", stack_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		flock(fd, LOCK_EX);
	if (fd >= 0 && fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < 4096 &&
	    time(NULL) - st.st_mtime < 3600) {
		char buf[4096];
		ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

		if (n > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\r\n")] = '\0';
			if (buf[0] != '\0' && (tok = strdup(buf)) != NULL)
				goto out;
		}
	}
	r = login("/admin/login", mobile, password);
	tok = token_of(r, "it_admin_token");
	if (tok != NULL && fd >= 0) {
		size_t l = strlen(tok);

		if (ftruncate(fd, 0) != 0 || pwrite(fd, tok, l, 0) != (ssize_t)l)
			fprintf(stderr, "it_admin_token: cannot cache the token in '%s'\n", path);
	}
out:
	if (fd >= 0)
		close(fd);
	it_resp_free(r);
	return tok;
}

static const char *rot_copy(const char *s)
{
	static char bufs[8][32];
	static unsigned slot;
	char *b = bufs[slot++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s", s);
	return b;
}

char *it_customer(int64_t *uid, const char **mobile_out)
{
	char saved[sizeof(source_addr)], email[96], mobile[16];
	struct it_resp *r = NULL;
	char *code = NULL, *tok = NULL;
	int64_t id;

	memcpy(saved, source_addr, sizeof(saved));
	/* a fresh address: code sending is limited to 10/h per address */
	it_set_source(it_random_source());
	snprintf(email, sizeof(email), "%s", it_unique_email());
	snprintf(mobile, sizeof(mobile), "%s", it_unique_mobile());

	r = it_postf("/email/code/send", NULL, "{\"email\":\"%s\"}", email);
	if (r == NULL || r->status != 200) {
		fprintf(stderr, "it_customer: /email/code/send: HTTP %ld %s\n", r ? r->status : -1L,
		        r && r->body ? r->body : "(no answer)");
		goto out;
	}
	it_resp_free(r);
	r = NULL;
	if ((code = it_mail_code(email)) == NULL)
		goto out;
	r = it_postf("/user/register", NULL,
	             "{\"name\":\"%s\",\"gender\":1,\"mobile\":\"%s\",\"email\":\"%s\","
	             "\"password\":\"%s\",\"emailCode\":\"%s\"}",
	             it_unique("customer-"), mobile, email, IT_PASSWORD, code);
	id = it_data_int(r, "id");
	if (r == NULL || r->status != 200 || id == INT64_MIN) {
		fprintf(stderr, "it_customer: /user/register: HTTP %ld %s\n", r ? r->status : -1L,
		        r && r->body ? r->body : "(no answer)");
		goto out;
	}
	it_resp_free(r);
	r = login("/user/login", mobile, IT_PASSWORD);
	if ((tok = token_of(r, "it_customer")) == NULL)
		goto out;
	if (uid != NULL)
		*uid = id;
	if (mobile_out != NULL)
		*mobile_out = rot_copy(mobile);
out:
	it_set_source(saved[0] ? saved : NULL);
	free(code);
	it_resp_free(r);
	return tok;
}

char *it_cashier(int64_t *uid)
{
	char saved[sizeof(source_addr)], mobile[16];
	char *admin = NULL, *tok = NULL;
	struct it_resp *r = NULL;
	int64_t id;

	memcpy(saved, source_addr, sizeof(saved));
	if ((admin = it_admin_token()) == NULL)
		goto out;
	snprintf(mobile, sizeof(mobile), "%s", it_unique_mobile());
	r = it_postf("/admin/register", admin,
	             "{\"name\":\"%s\",\"gender\":1,\"mobile\":\"%s\",\"email\":\"%s\","
	             "\"password\":\"%s\",\"role\":\"cashier\"}",
	             it_unique("cashier-"), mobile, it_unique_email(), IT_PASSWORD);
	id = it_data_int(r, "id");
	if (r == NULL || r->status != 200 || id == INT64_MIN) {
		fprintf(stderr, "it_cashier: /admin/register: HTTP %ld %s\n", r ? r->status : -1L,
		        r && r->body ? r->body : "(no answer)");
		goto out;
	}
	it_resp_free(r);
	it_set_source(it_random_source());
	r = login("/admin/login", mobile, IT_PASSWORD);
	if ((tok = token_of(r, "it_cashier")) == NULL)
		goto out;
	if (uid != NULL)
		*uid = id;
out:
	it_set_source(saved[0] ? saved : NULL);
	free(admin);
	it_resp_free(r);
	return tok;
}

/* --- shell, stack and SQL ----------------------------------------------------- */

static int exit_status(int st)
{
	if (st == -1)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

int it_sh(const char *fmt, ...)
{
	char *cmd = NULL;
	va_list ap;
	int n, st;

	va_start(ap, fmt);
	n = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	fflush(NULL);
	st = system(cmd);
	free(cmd);
	return exit_status(st);
}

int it_stack(const char *cmd)
{
	const char *sh = getenv("BOXOFFICE_STACK_SH");
	pid_t pid;
	int st;

	if (cmd == NULL || stack_dir[0] == '\0') {
		fprintf(stderr, "it_stack: no stack (call it_setup first)\n");
		return -1;
	}
	if (sh == NULL || *sh == '\0')
		sh = IT_STACK_SH;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("bash", "bash", sh, cmd, stack_dir, (char *)NULL);
		fprintf(stderr, "it_stack: cannot run '%s': %s\n", sh, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return exit_status(st);
}

/* Run argv with stdout into a malloc'd string; NULL unless it exits 0. */
static char *run_capture(char *const argv[])
{
	struct buf b = {0};
	int fds[2], st;
	pid_t pid;
	char chunk[4096];
	ssize_t n;

	if (pipe(fds) != 0)
		return NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "it_sql: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (on_body(chunk, 1, (size_t)n, &b) != (size_t)n)
			break;
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			free(b.p);
			return NULL;
		}
	if (exit_status(st) != 0) {
		free(b.p);
		return NULL;
	}
	if (b.p == NULL)
		return calloc(1, 1);
	/* drop one trailing newline: it_sql("SELECT COUNT(*) ...") gives "3" */
	if (b.len > 0 && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	return b.p;
}

char *it_sql(const char *fmt, ...)
{
	const char *sock = it_env("MYSQL_SOCKET"), *db = it_env("MYSQL_DB");
	char *sql = NULL, *out, sockopt[PATH_MAX + 16];
	va_list ap;
	int n;

	if (sock == NULL) {
		fprintf(stderr, "it_sql: MYSQL_SOCKET is not in the env file\n");
		return NULL;
	}
	va_start(ap, fmt);
	n = vasprintf(&sql, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	snprintf(sockopt, sizeof(sockopt), "--socket=%s", sock);
	char *argv[] = {"mariadb",
	                "--no-defaults",
	                sockopt,
	                "-uroot",
	                (char *)(db ? db : "boxoffice"),
	                "-N",
	                "-B",
	                "-e",
	                sql,
	                NULL};
	out = run_capture(argv);
	if (out == NULL)
		fprintf(stderr, "it_sql: failed: %s\n", sql);
	free(sql);
	return out;
}

/* --- a second daemon ------------------------------------------------------ */

void it_set_base(const char *url)
{
	snprintf(base_url, sizeof(base_url), "%s", url ? url : "");
}

/* A port of 127.0.0.1 nobody listens on now (the kernel's pick). */
static int unused_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

pid_t it_daemon_start(const char *name, char *url, size_t urllen)
{
	char cmd[4096];
	const char *bin = getenv("BOXOFFICED");
	int port = unused_port();
	double until;
	pid_t pid;

	if (bin == NULL || port < 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
	         "exec env BOXOFFICE_LISTEN=127.0.0.1:%d BOXOFFICE_NODE_ID=%d "
	         "BOXOFFICE_KAFKA_BROKERS='%s' BOXOFFICE_KAFKA_CONSUME=0 "
	         "BOXOFFICE_JWT_SECRET='%s' BOXOFFICE_PAY_SECRET='%s' "
	         "BOXOFFICE_DB_URL='mysql://%s:%s@127.0.0.1:%s/%s' "
	         "BOXOFFICE_REDIS_URL='redis://127.0.0.1:%s/0' '%s' >'%s/%s.log' 2>&1",
	         port, 8 + port % 50, it_env("KAFKA_BOOTSTRAP"), it_env("JWT_SECRET"),
	         it_env("PAY_SECRET"), it_env("MYSQL_USER"), it_env("MYSQL_PASSWORD"),
	         it_env("MYSQL_PORT"), it_env("MYSQL_DB"), it_env("REDIS_PORT"), bin,
	         it_env("STACK_DIR"), name);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* Up when /healthz answers at all. */
	snprintf(url, urllen, "http://127.0.0.1:%d", port);
	it_set_base(url);
	for (until = (double)time(NULL) + 60; (double)time(NULL) < until;) {
		struct it_resp *r = it_request("GET", "/healthz", NULL, NULL, 0);
		int up = r != NULL;

		it_resp_free(r);
		if (up)
			break;
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		usleep(100 * 1000);
	}
	it_set_base(NULL);
	return pid;
}

int it_daemon_stop(pid_t pid)
{
	int st;

	if (pid <= 0 || kill(pid, SIGTERM) < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
