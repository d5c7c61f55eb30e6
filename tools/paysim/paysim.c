/*
 * paysim: the payment-provider simulator of spec 4.7.
 *
 *   paysim [--listen HOST:PORT] [--callback-url URL] [--secret KEY] [--dup-percent N]
 *   (or PAYSIM_LISTEN, PAYSIM_CALLBACK_URL, PAYSIM_SECRET, PAYSIM_DUP_PERCENT)
 *
 * Serves, on one libwebsockets HTTP listener:
 *   GET  /pay/<payId>?amount=N&oid=M   a page where a person approves or declines
 *   POST /pay/<payId>/approve|decline  what that page's buttons post (form)
 *   POST /api/approve {"payId":N,"amount":N}  send the signed callback, status 1
 *   POST /api/decline {"payId":N}             send the signed callback, status 2
 *   POST /api/refund  {"payId":N,"amount":N}  (signed by the server) refund a pay,
 *                     once per payId: {"refundId":"…","status":"refunded"}
 *   GET  /api/state?payId=N                   what paysim knows of a pay (tests)
 *   GET  /healthz
 * Callbacks go to the callback URL as {"id","amount","source":1,"status","txnId","ts"}
 * with X-Boxoffice-Signature = hex(HMAC-SHA256(secret, body)), from a sender
 * thread that retries until the server answers 200 (backoff up to 5 s, at
 * most 30 tries) and, on purpose, sends dup-percent of them a second time
 * one to three seconds later (or always, with "duplicate":1 in the request).
 *
 * Threads: the lws loop (main) and the sender; the pay table and the send
 * queue are guarded by one mutex each, never held across I/O.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define BODY_MAX 16384
#define PAYS_MAX 65536
#define QUEUE_MAX 4096
#define TRIES_MAX 30
#define TXN_LEN 40

struct pay {
	int64_t id, amount;
	int state; /* 0 unknown, 1 approved, 2 declined */
	char txn[TXN_LEN];
	int refunded, refund_calls;
	char refund_id[TXN_LEN];
};

struct job {
	char *body;
	int tries;
	int64_t due_ms;
	struct job *next;
};

static struct {
	char listen[128], callback[512], secret[256];
	int dup_percent;
} opt;

static pthread_mutex_t pays_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pay *pays; /* open addressing by id, PAYS_MAX slots */
static int npays;

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static struct job *q_head;
static int q_len;
static atomic_int stopping;
static struct lws_context *ctx;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned rnd(void)
{
	unsigned x = 0;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x))
		x = (unsigned)now_ms();
	return x;
}

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;
	time_t t = time(NULL);
	char ts[32];

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(stderr, "%s paysim: ", ts);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int sign(const char *data, size_t len, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;

	if (!HMAC(EVP_sha256(), opt.secret, (int)strlen(opt.secret), (const unsigned char *)data,
	          len, mac, &maclen))
		return -1;
	for (i = 0; i < maclen && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	out[64] = '\0';
	return 0;
}

/* ---- the pay table (pays_mu held by callers) ---- */

static struct pay *pay_find(int64_t id, int create)
{
	size_t i = (size_t)((uint64_t)id * 11400714819323198485ull >> 48) % PAYS_MAX, k;

	for (k = 0; k < PAYS_MAX; k++, i = (i + 1) % PAYS_MAX) {
		if (pays[i].id == id)
			return &pays[i];
		if (pays[i].id == 0) {
			if (!create || npays >= PAYS_MAX - 1)
				return NULL;
			memset(&pays[i], 0, sizeof(pays[i]));
			pays[i].id = id;
			npays++;
			return &pays[i];
		}
	}
	return NULL;
}

/* ---- the sender ---- */

static void enqueue(const char *body, int64_t due_ms)
{
	struct job *j, **pp;

	pthread_mutex_lock(&q_mu);
	if (q_len >= QUEUE_MAX) {
		pthread_mutex_unlock(&q_mu);
		logf_("send queue full: callback dropped: %s", body);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (j)
		j->body = strdup(body);
	if (!j || !j->body) {
		free(j);
		pthread_mutex_unlock(&q_mu);
		return;
	}
	j->due_ms = due_ms;
	/* Sorted by due time. */
	for (pp = &q_head; *pp && (*pp)->due_ms <= due_ms; pp = &(*pp)->next)
		;
	j->next = *pp;
	*pp = j;
	q_len++;
	pthread_cond_signal(&q_cv);
	pthread_mutex_unlock(&q_mu);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p;
	(void)u;
	return s * n;
}

/* POST body to the callback URL. Returns the HTTP status, or 0 unreachable. */
static long post_callback(const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char sig[65], hdr[128];
	long status = 0;

	if (!c || sign(body, strlen(body), sig) < 0) {
		if (c)
			curl_easy_cleanup(c);
		return 0;
	}
	snprintf(hdr, sizeof(hdr), "X-Boxoffice-Signature: %s", sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, hdr);
	curl_easy_setopt(c, CURLOPT_URL, opt.callback);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

static void *sender_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&q_mu);
	while (!atomic_load(&stopping)) {
		struct job *j = q_head;
		int64_t now = now_ms();
		long st;

		if (!j || j->due_ms > now) {
			struct timespec ts;
			int64_t until = j ? j->due_ms : now + 1000;

			ts.tv_sec = (time_t)(until / 1000);
			ts.tv_nsec = (long)(until % 1000) * 1000000L;
			pthread_cond_timedwait(&q_cv, &q_mu, &ts);
			continue;
		}
		q_head = j->next;
		q_len--;
		pthread_mutex_unlock(&q_mu);
		st = post_callback(j->body);
		j->tries++;
		if (st == 200) {
			logf_("callback delivered (try %d): %s", j->tries, j->body);
			free(j->body);
			free(j);
		} else if (st >= 400 && st < 500 && st != 429 && st != 404) {
			logf_("callback refused with HTTP %ld, not retried: %s", st, j->body);
			free(j->body);
			free(j);
		} else if (j->tries >= TRIES_MAX) {
			logf_("callback given up after %d tries (HTTP %ld): %s", j->tries, st,
			      j->body);
			free(j->body);
			free(j);
		} else {
			int64_t wait = 250LL << (j->tries < 5 ? j->tries : 5);

			if (wait > 5000)
				wait = 5000;
			logf_("callback failed (HTTP %ld, try %d), again in %lld ms", st, j->tries,
			      (long long)wait);
			pthread_mutex_lock(&q_mu);
			q_len++;
			{
				struct job **pp;

				j->due_ms = now_ms() + wait;
				for (pp = &q_head; *pp && (*pp)->due_ms <= j->due_ms;
				     pp = &(*pp)->next)
					;
				j->next = *pp;
				*pp = j;
			}
			pthread_mutex_unlock(&q_mu);
		}
		pthread_mutex_lock(&q_mu);
	}
	pthread_mutex_unlock(&q_mu);
	return NULL;
}

/* Queue the callback of a pay's settled state; maybe a duplicate too. */
static void send_callback(const struct pay *p, int status, int force_dup)
{
	char body[256];

	snprintf(body, sizeof(body),
	         "{\"id\":%" PRId64 ",\"amount\":%" PRId64
	         ",\"source\":1,\"status\":%d,\"txnId\":\"%s\",\"ts\":%lld}",
	         p->id, p->amount, status, p->txn, (long long)time(NULL));
	enqueue(body, now_ms());
	if (force_dup || (int)(rnd() % 100) < opt.dup_percent) {
		logf_("pay %" PRId64 ": a duplicate callback will follow", p->id);
		enqueue(body, now_ms() + 1000 + rnd() % 2000);
	}
}

/* ---- actions ---- */

/*
 * Lock the pays and find (or make) pay id. NULL, unlocked and with the
 * "full" answer in out, when the table has no room for it.
 */
static struct pay *pay_lock(int64_t id, char *out, size_t outlen)
{
	struct pay *p;

	pthread_mutex_lock(&pays_mu);
	if (!(p = pay_find(id, 1))) {
		pthread_mutex_unlock(&pays_mu);
		snprintf(out, outlen, "{\"error\":\"full\"}");
	}
	return p;
}

/* Approve (status 1) or decline (2). Returns HTTP status; JSON answer in out. */
static int act(int64_t id, int64_t amount, int have_amount, int status, const char *txn,
               int force_dup, char *out, size_t outlen)
{
	struct pay *p;
	int code = 200;

	if (!(p = pay_lock(id, out, outlen)))
		return 503;
	if (p->state && p->state != status) {
		snprintf(out, outlen, "{\"error\":\"already %s\",\"txnId\":\"%s\"}",
		         p->state == 1 ? "approved" : "declined", p->txn);
		code = 409;
	} else {
		if (!p->state) {
			p->state = status;
			if (have_amount)
				p->amount = amount;
			if (txn && txn[0])
				snprintf(p->txn, sizeof(p->txn), "%s", txn);
			else
				snprintf(p->txn, sizeof(p->txn), "sim-%" PRId64 "-%08x", id, rnd());
		}
		send_callback(p, status, force_dup);
		snprintf(out, outlen,
		         "{\"payId\":%" PRId64 ",\"amount\":%" PRId64
		         ",\"status\":\"%s\",\"txnId\":\"%s\"}",
		         id, p->amount, status == 1 ? "approved" : "declined", p->txn);
		logf_("pay %" PRId64 " %s, amount %" PRId64 ", txn %s", id,
		      status == 1 ? "approved" : "declined", p->amount, p->txn);
	}
	pthread_mutex_unlock(&pays_mu);
	return code;
}

static int refund(int64_t id, int64_t amount, char *out, size_t outlen)
{
	struct pay *p;

	if (!(p = pay_lock(id, out, outlen)))
		return 503;
	p->refund_calls++;
	if (!p->refunded) {
		p->refunded = 1;
		snprintf(p->refund_id, sizeof(p->refund_id), "rf-%" PRId64, id);
		logf_("pay %" PRId64 " refunded, amount %" PRId64, id, amount);
	}
	snprintf(out, outlen, "{\"refundId\":\"%s\",\"status\":\"refunded\"}", p->refund_id);
	pthread_mutex_unlock(&pays_mu);
	return 200;
}

static void state_of(int64_t id, char *out, size_t outlen)
{
	struct pay *p;

	pthread_mutex_lock(&pays_mu);
	p = pay_find(id, 0);
	if (!p)
		snprintf(out, outlen, "{\"payId\":%" PRId64 ",\"state\":\"unknown\",\"refunds\":0}",
		         id);
	else
		snprintf(out, outlen,
		         "{\"payId\":%" PRId64 ",\"state\":\"%s\",\"amount\":%" PRId64
		         ",\"txnId\":\"%s\",\"refunded\":%d,\"refundId\":\"%s\",\"refunds\":%d}",
		         id,
		         p->state == 1   ? "approved"
		         : p->state == 2 ? "declined"
		                         : "unknown",
		         p->amount, p->txn, p->refunded, p->refund_id, p->refund_calls);
	pthread_mutex_unlock(&pays_mu);
}

/* ---- HTTP ---- */

struct pss {
	char path[256];
	char sig[80];
	char ctype[80];
	int post;
	char *body;
	size_t len;
	int too_big;
	/* the answer */
	int status;
	const char *rtype;
	char *out; /* LWS_PRE + text */
	size_t out_len;
	int answered; /* headers sent: a second BODY_COMPLETION must not answer again */
};

static int answer(struct lws *wsi, struct pss *s, int status, const char *ctype, const char *text)
{
	uint8_t hbuf[LWS_PRE + 1024], *start = &hbuf[LWS_PRE], *p = start,
	                              *end = &hbuf[sizeof(hbuf) - 1];
	size_t n = strlen(text);

	if (s->answered)
		return 0;
	s->answered = 1;
	free(s->out);
	s->out = malloc(LWS_PRE + n + 1);
	if (!s->out)
		return -1;
	memcpy(s->out + LWS_PRE, text, n + 1);
	s->out_len = n;
	if (lws_add_http_common_headers(wsi, (unsigned)status, ctype, (lws_filepos_t)n, &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	lws_callback_on_writable(wsi);
	return 0;
}

static int answer_json(struct lws *wsi, struct pss *s, int status, const char *text)
{
	return answer(wsi, s, status, "application/json", text);
}

/* Escape nothing: every value we print into HTML is a number. */
static int page(struct lws *wsi, struct pss *s, int64_t id)
{
	char amount[32] = "", oid[32] = "", buf[64], html[4096];
	const char *v;
	int64_t a = -1;

	if ((v = lws_get_urlarg_by_name(wsi, "amount=", buf, sizeof(buf))) && *v)
		a = strtoll(v, NULL, 10);
	if (a < 0) {
		struct pay *p;

		pthread_mutex_lock(&pays_mu);
		p = pay_find(id, 0);
		if (p)
			a = p->amount;
		pthread_mutex_unlock(&pays_mu);
	}
	if (a >= 0)
		snprintf(amount, sizeof(amount), "%" PRId64, a);
	if ((v = lws_get_urlarg_by_name(wsi, "oid=", buf, sizeof(buf))) && *v)
		snprintf(oid, sizeof(oid), "%lld", strtoll(v, NULL, 10));
	snprintf(html, sizeof(html),
	         "<!doctype html><html><head><meta charset=\"utf-8\"><title>paysim: pay %" PRId64
	         "</title><style>body{font-family:sans-serif;max-width:30em;margin:3em auto}"
	         "button{font-size:1.2em;margin:.5em}</style></head><body>"
	         "<h1>paysim</h1><p>Payment <b>%" PRId64 "</b>%s%s</p>"
	         "<p>Amount: <b id=\"amount\">%s</b> (minor units)</p>"
	         "<form method=\"post\" action=\"/pay/%" PRId64 "/approve\">"
	         "<input type=\"hidden\" name=\"amount\" value=\"%s\">"
	         "<button id=\"approve\" type=\"submit\">Approve</button></form>"
	         "<form method=\"post\" action=\"/pay/%" PRId64 "/decline\">"
	         "<button id=\"decline\" type=\"submit\">Decline</button></form></body></html>",
	         id, id, oid[0] ? " for order " : "", oid, amount[0] ? amount : "?", id, amount,
	         id);
	return answer(wsi, s, 200, "text/html; charset=utf-8", html);
}

static int done_page(struct lws *wsi, struct pss *s, int code, const char *json)
{
	char html[1024];

	snprintf(html, sizeof(html),
	         "<!doctype html><html><head><meta charset=\"utf-8\"><title>paysim</title></head>"
	         "<body><h1 id=\"result\">%s</h1><p>You can close this page.</p></body></html>",
	         code != 200                    ? "Not possible: already settled"
	         : strstr(json, "\"approved\"") ? "Payment approved"
	                                        : "Payment declined");
	return answer(wsi, s, code, "text/html; charset=utf-8", html);
}

static int64_t json_i64(const cJSON *o, const char *k, int *have)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	*have = cJSON_IsNumber(v);
	return *have ? (int64_t)v->valuedouble : 0;
}

static int handle_post(struct lws *wsi, struct pss *s)
{
	char out[512], want[65];
	const char *body = s->body ? s->body : "";
	cJSON *root = NULL;
	int64_t id, amount, dup;
	int have_id, have_amount, have_dup, code;
	const cJSON *txn;

	if (s->too_big)
		return answer_json(wsi, s, 413, "{\"error\":\"too_large\"}");
	if (strncmp(s->path, "/pay/", 5) == 0) {
		/* The page's form: /pay/<id>/approve or /decline, body amount=N */
		char *end = NULL;
		const char *a;

		id = strtoll(s->path + 5, &end, 10);
		if (id <= 0 || !end || (strcmp(end, "/approve") && strcmp(end, "/decline")))
			return answer_json(wsi, s, 404, "{\"error\":\"not_found\"}");
		a = strstr(body, "amount=");
		amount = a ? strtoll(a + 7, NULL, 10) : 0;
		code = act(id, amount, a && isdigit((unsigned char)a[7]),
		           strcmp(end, "/approve") == 0 ? 1 : 2, NULL, 0, out, sizeof(out));
		return done_page(wsi, s, code, out);
	}
	root = cJSON_Parse(body);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return answer_json(wsi, s, 400, "{\"error\":\"bad_request\"}");
	}
	id = json_i64(root, "payId", &have_id);
	amount = json_i64(root, "amount", &have_amount);
	dup = json_i64(root, "duplicate", &have_dup);
	txn = cJSON_GetObjectItemCaseSensitive(root, "txnId");
	if (!have_id || id <= 0) {
		cJSON_Delete(root);
		return answer_json(wsi, s, 400,
		                   "{\"error\":\"invalid_field\",\"field\":\"payId\"}");
	}
	if (strcmp(s->path, "/api/approve") == 0) {
		if (!have_amount || amount < 0)
			code = 400, snprintf(out, sizeof(out), "{\"error\":\"invalid_field\"}");
		else
			code = act(id, amount, 1, 1, cJSON_IsString(txn) ? txn->valuestring : NULL,
			           have_dup && dup, out, sizeof(out));
	} else if (strcmp(s->path, "/api/decline") == 0) {
		code =
		    act(id, amount, have_amount, 2, cJSON_IsString(txn) ? txn->valuestring : NULL,
		        have_dup && dup, out, sizeof(out));
	} else if (strcmp(s->path, "/api/refund") == 0) {
		if (sign(body, s->len, want) < 0 || strlen(s->sig) != 64 ||
		    CRYPTO_memcmp(want, s->sig, 64) != 0) {
			code = 401;
			snprintf(out, sizeof(out), "{\"error\":\"bad_signature\"}");
		} else {
			code = refund(id, amount, out, sizeof(out));
		}
	} else {
		code = 404;
		snprintf(out, sizeof(out), "{\"error\":\"not_found\"}");
	}
	cJSON_Delete(root);
	return answer_json(wsi, s, code, out);
}

static int handle_get(struct lws *wsi, struct pss *s)
{
	char out[512], buf[64];
	const char *v;
	int64_t id;

	if (strcmp(s->path, "/healthz") == 0)
		return answer_json(wsi, s, 200, "{\"status\":\"ok\"}");
	if (strcmp(s->path, "/api/state") == 0) {
		v = lws_get_urlarg_by_name(wsi, "payId=", buf, sizeof(buf));
		id = v ? strtoll(v, NULL, 10) : 0;
		if (id <= 0)
			return answer_json(wsi, s, 400, "{\"error\":\"invalid_field\"}");
		state_of(id, out, sizeof(out));
		return answer_json(wsi, s, 200, out);
	}
	if (strncmp(s->path, "/pay/", 5) == 0) {
		char *end = NULL;

		id = strtoll(s->path + 5, &end, 10);
		if (id > 0 && end && !*end)
			return page(wsi, s, id);
	}
	return answer_json(wsi, s, 404, "{\"error\":\"not_found\"}");
}

static void pss_release(struct pss *s)
{
	free(s->body);
	free(s->out);
	s->body = NULL;
	s->out = NULL;
	s->len = s->out_len = 0;
}

static int cb_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
	struct pss *s = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP: {
		int n = (int)strlen("x-boxoffice-signature:");

		pss_release(s);
		memset(s, 0, sizeof(*s));
		snprintf(s->path, sizeof(s->path), "%s", (const char *)in);
		s->post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
		if (lws_hdr_custom_length(wsi, "x-boxoffice-signature:", n) > 0 &&
		    lws_hdr_custom_copy(wsi, s->sig, sizeof(s->sig), "x-boxoffice-signature:", n) <
		        0)
			s->sig[0] = '\0';
		for (n = 0; s->sig[n]; n++)
			s->sig[n] = (char)tolower((unsigned char)s->sig[n]);
		if (s->post) {
			/* A POST without a body (the Decline form) gets no BODY callbacks. */
			char cl[24] = "";

			if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 ||
			    lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) < 0 ||
			    atol(cl) <= 0)
				return handle_post(wsi, s) ? -1 : 0;
			return 0;
		}
		return handle_get(wsi, s) ? -1 : 0;
	}
	case LWS_CALLBACK_HTTP_BODY:
		if (len == 0 || !in)
			return 0;
		if (s->too_big || s->len + len > BODY_MAX) {
			s->too_big = 1;
			return 0;
		}
		{
			char *nb = realloc(s->body, s->len + len + 1);

			if (!nb)
				return -1;
			s->body = nb;
			memcpy(s->body + s->len, in, len);
			s->len += len;
			s->body[s->len] = '\0';
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return handle_post(wsi, s) ? -1 : 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		if (!s->out)
			return 0;
		if (lws_write(wsi, (unsigned char *)s->out + LWS_PRE, s->out_len,
		              LWS_WRITE_HTTP_FINAL) != (int)s->out_len)
			return -1;
		free(s->out);
		s->out = NULL;
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (s)
			pss_release(s);
		return 0;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", cb_http, sizeof(struct pss), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stopping, 1);
	if (ctx)
		lws_cancel_service(ctx);
}

static void usage(void)
{
	fprintf(stderr, "usage: paysim [--listen HOST:PORT] [--callback-url URL] [--secret KEY] "
	                "[--dup-percent N]\n"
	                "  also PAYSIM_LISTEN, PAYSIM_CALLBACK_URL, PAYSIM_SECRET, "
	                "PAYSIM_DUP_PERCENT\n");
}

static void set(char *dst, size_t len, const char *v)
{
	if (v)
		snprintf(dst, len, "%s", v);
}

static int options(int argc, char **argv)
{
	int i;

	set(opt.listen, sizeof(opt.listen), "127.0.0.1:8090");
	set(opt.callback, sizeof(opt.callback), "http://127.0.0.1:8080/pay/callback");
	opt.dup_percent = 10;
	set(opt.listen, sizeof(opt.listen), getenv("PAYSIM_LISTEN"));
	set(opt.callback, sizeof(opt.callback), getenv("PAYSIM_CALLBACK_URL"));
	set(opt.secret, sizeof(opt.secret), getenv("PAYSIM_SECRET"));
	if (getenv("PAYSIM_DUP_PERCENT"))
		opt.dup_percent = atoi(getenv("PAYSIM_DUP_PERCENT"));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = strchr(a, '='), *v;
		size_t nl = eq ? (size_t)(eq - a) : strlen(a);

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage();
			exit(0);
		}
		v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!v) {
			usage();
			return -1;
		}
		if (nl == 8 && strncmp(a, "--listen", nl) == 0)
			set(opt.listen, sizeof(opt.listen), v);
		else if (nl == 14 && strncmp(a, "--callback-url", nl) == 0)
			set(opt.callback, sizeof(opt.callback), v);
		else if (nl == 8 && strncmp(a, "--secret", nl) == 0)
			set(opt.secret, sizeof(opt.secret), v);
		else if (nl == 13 && strncmp(a, "--dup-percent", nl) == 0)
			opt.dup_percent = atoi(v);
		else {
			fprintf(stderr, "paysim: unknown option '%.*s'\n", (int)nl, a);
			usage();
			return -1;
		}
	}
	if (strlen(opt.secret) < 32) {
		fprintf(stderr, "paysim: --secret (the server's pay_secret, at least 32 bytes) "
		                "is required\n");
		return -1;
	}
	if (opt.dup_percent < 0 || opt.dup_percent > 100) {
		fprintf(stderr, "paysim: --dup-percent must be 0..100\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct lws_context_creation_info info;
	char host[128];
	const char *colon;
	pthread_t sender;
	int rc = 0;

	if (options(argc, argv) < 0)
		return 2;
	colon = strrchr(opt.listen, ':');
	if (!colon) {
		fprintf(stderr, "paysim: --listen needs HOST:PORT\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - opt.listen), opt.listen);
	pays = calloc(PAYS_MAX, sizeof(*pays));
	if (!pays)
		return 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof(info));
	info.port = atoi(colon + 1);
	info.iface = host[0] ? host : NULL;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	info.timeout_secs = 30;
	info.max_http_header_data = 4096;
	ctx = lws_create_context(&info);
	if (!ctx) {
		fprintf(stderr, "paysim: cannot listen on '%s'\n", opt.listen);
		return 1;
	}
	if (pthread_create(&sender, NULL, sender_main, NULL) != 0) {
		lws_context_destroy(ctx);
		return 1;
	}
	logf_("listening on http://%s, callbacks to %s, %d%% duplicates", opt.listen, opt.callback,
	      opt.dup_percent);
	while (!atomic_load(&stopping))
		if (lws_service(ctx, 0) < 0)
			break;
	atomic_store(&stopping, 1);
	pthread_mutex_lock(&q_mu);
	pthread_cond_broadcast(&q_cv);
	pthread_mutex_unlock(&q_mu);
	pthread_join(sender, NULL);
	lws_context_destroy(ctx);
	while (q_head) {
		struct job *j = q_head;

		q_head = j->next;
		free(j->body);
		free(j);
	}
	free(pays);
	curl_global_cleanup();
	logf_("stopped");
	return rc;
}
