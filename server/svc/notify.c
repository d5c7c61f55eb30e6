#include "svc/notify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "core/config.h"
#include "core/log.h"
#include "proto_json.h"

#define NOTIFY_TIMEOUT_S 5L
#define NOTIFY_SUBJECT "Your boxoffice code"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

/* curl_global_init is not thread-safe in every libcurl: run it once. */
static void curl_start(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static CURL *easy_new(char *errbuf)
{
	CURL *c;

	pthread_once(&curl_once, curl_start);
	if (!curl_ready)
		return NULL;
	c = curl_easy_init();
	if (c == NULL)
		return NULL;
	errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	/* Worker threads: no SIGALRM-based DNS timeouts. */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, NOTIFY_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, NOTIFY_TIMEOUT_S);
	return c;
}

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t upload_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems;

	if (n > u->len - u->pos)
		n = u->len - u->pos;
	memcpy(buf, u->data + u->pos, n);
	u->pos += n;
	return n;
}

static size_t discard(char *buf, size_t size, size_t nitems, void *arg)
{
	(void)buf;
	(void)arg;
	return size * nitems;
}

int notify_email_code(const char *to, const char *code)
{
	char msg[2048], date[64], rcpt_addr[300], from_addr[300], errbuf[CURL_ERROR_SIZE];
	struct curl_slist *rcpt = NULL;
	struct upload up;
	struct tm tm;
	time_t now = time(NULL);
	CURL *c = NULL;
	CURLcode cc;
	int n, rc = -1;

	if (cfg.smtp_url == NULL || cfg.smtp_url[0] == '\0') {
		log_info("email code for '%s': %s", to, code);
		return 0;
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	/* Header lines end in CRLF (RFC 5322); the body names no other number. */
	n = snprintf(msg, sizeof(msg),
	             "Date: %s\r\n"
	             "From: <%s>\r\n"
	             "To: <%s>\r\n"
	             "Subject: " NOTIFY_SUBJECT "\r\n"
	             "MIME-Version: 1.0\r\n"
	             "Content-Type: text/plain; charset=utf-8\r\n"
	             "\r\n"
	             "Your boxoffice code is %s\r\n"
	             "\r\n"
	             "It is valid for five minutes and can be used once.\r\n"
	             "If you did not ask for it, ignore this message.\r\n",
	             date, cfg.smtp_from, to, code);
	if (n < 0 || (size_t)n >= sizeof(msg))
		goto out;
	snprintf(from_addr, sizeof(from_addr), "<%s>", cfg.smtp_from);
	snprintf(rcpt_addr, sizeof(rcpt_addr), "<%s>", to);
	up.data = msg;
	up.len = (size_t)n;
	up.pos = 0;

	c = easy_new(errbuf);
	if (c == NULL) {
		log_error("cannot send email code to '%s': libcurl init failed", to);
		goto out;
	}
	rcpt = curl_slist_append(NULL, rcpt_addr);
	if (rcpt == NULL)
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, cfg.smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from_addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		log_warn("cannot send email code to '%s' via smtp: %s", to,
		         errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(rcpt);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

/*
 * The gateway's host for log lines: sms_url may carry credentials or an API
 * key (user:password@, ?key=...), which must not reach the log.
 */
static void url_host(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	char *host = NULL;

	snprintf(out, outlen, "(unparsable url)");
	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		snprintf(out, outlen, "%s", host);
	curl_free(host);
	curl_url_cleanup(u);
}

int notify_sms_code(const char *phone, const char *code)
{
	char text[64], errbuf[CURL_ERROR_SIZE], host[256];
	struct curl_slist *hdrs = NULL;
	cJSON *obj = NULL;
	char *body = NULL;
	CURL *c = NULL;
	CURLcode cc;
	long status = 0;
	int rc = -1;

	if (cfg.sms_url == NULL || cfg.sms_url[0] == '\0') {
		log_info("sms code for '%s': %s", phone, code);
		return 0;
	}
	snprintf(text, sizeof(text), "Your boxoffice code is %s", code);
	obj = cJSON_CreateObject();
	if (obj == NULL || cJSON_AddStringToObject(obj, "phone", phone) == NULL ||
	    cJSON_AddStringToObject(obj, "text", text) == NULL)
		goto out;
	body = proto_json_print(obj);
	if (body == NULL)
		goto out;

	c = easy_new(errbuf);
	if (c == NULL) {
		log_error("cannot send sms code to '%s': libcurl init failed", phone);
		goto out;
	}
	hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (hdrs == NULL)
		goto out;
	curl_easy_setopt(c, CURLOPT_URL, cfg.sms_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		url_host(cfg.sms_url, host, sizeof(host));
		log_warn("cannot send sms code to '%s' via gateway '%s': %s", phone, host,
		         errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		url_host(cfg.sms_url, host, sizeof(host));
		log_warn("cannot send sms code to '%s': gateway '%s' answered %ld", phone, host,
		         status);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(hdrs);
	if (c)
		curl_easy_cleanup(c);
	cJSON_free(body);
	cJSON_Delete(obj);
	return rc;
}
