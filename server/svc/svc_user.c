#include "svc/svc_user.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cache/cache.h"
#include "cache/codes.h"
#include "svc/limit.h"
#include "core/config.h"
#include "core/ids.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/password.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/db.h"
#include "store/store_audit.h"
#include "store/store_user.h"
#include "svc/notify.h"
#include "svc/txn.h"
#include "svc/routes.h"

/* Rate limits of spec section 3. */
#define LOGIN_PER_SUBJECT 10
#define LOGIN_PER_ADDRESS 30
#define LOGIN_WINDOW_S 60
#define CODE_PER_DEST 1
#define CODE_DEST_WINDOW_S 60
#define CODE_PER_ADDRESS 10
#define CODE_ADDRESS_WINDOW_S 3600
/* Tries of /user/update/pass, per user: it must not be a password oracle. */
#define PASS_PER_USER 10
#define PASS_WINDOW_S 60

#define MOBILE_MIN 5
#define PHC_MAX 200

#define MSG_BAD_LOGIN "wrong mobile, email or password"

/* ---- field validation ------------------------------------------------- */

/* Digits with an optional leading '+', MOBILE_MIN..PROTO_LEN_MOBILE long. */
static int valid_mobile(const char *s)
{
	size_t n = strlen(s), i = 0;

	if (n < MOBILE_MIN || n > PROTO_LEN_MOBILE)
		return 0;
	if (s[0] == '+')
		i = 1;
	for (; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * local@domain with a dot inside the domain, no white space, control or
 * header-breaking characters (the address goes into SMTP commands and
 * headers), at most PROTO_LEN_EMAIL bytes.
 */
static int valid_email(const char *s)
{
	const char *at = strchr(s, '@'), *dom, *p;
	size_t n = strlen(s), dlen;

	if (n > PROTO_LEN_EMAIL || at == NULL || at == s || at - s > 64 || strchr(at + 1, '@'))
		return 0;
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c))
			return 0;
	}
	dom = at + 1;
	dlen = strlen(dom);
	if (dlen < 3 || dom[0] == '.' || dom[dlen - 1] == '.' || strchr(dom, '.') == NULL ||
	    strstr(dom, ".."))
		return 0;
	return 1;
}

/* At least one character, no control characters (names show in the TUI). */
static int valid_name(const char *s)
{
	const unsigned char *p;

	if (s[0] == '\0')
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

static int valid_password(const char *s)
{
	long n = proto_utf8_len(s);

	return n >= PROTO_LEN_PASSWORD_MIN && n <= PROTO_LEN_PASSWORD_MAX;
}

static int valid_code(const char *s)
{
	size_t i;

	if (strlen(s) != PROTO_CODE_DIGITS)
		return 0;
	for (i = 0; i < PROTO_CODE_DIGITS; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Read a string field checked by valid(). *out is NULL when the key is
 * absent (an error when required). Returns PROTO_OK or invalid_field key.
 */
static enum proto_err get_str(struct req *r, const char *key, size_t max_chars, int required,
                              int (*valid)(const char *), const char **out)
{
	int rc = proto_get_str(r->body, key, max_chars, out);

	if (rc == 0) {
		*out = NULL;
		return required ? req_fail_field(r, key) : PROTO_OK;
	}
	if (rc < 0 || (valid && !valid(*out)))
		return req_fail_field(r, key);
	return PROTO_OK;
}

/* An integer field in [min, max]; *present says whether it was there. */
static enum proto_err get_int(struct req *r, const char *key, int64_t min, int64_t max,
                              int required, int64_t *out, int *present)
{
	int rc = proto_get_int(r->body, key, min, max, out);

	*present = rc == 1;
	if (rc < 0 || (rc == 0 && required))
		return req_fail_field(r, key);
	return PROTO_OK;
}

/* A lower-case copy of an email address (rate-limit subjects); dst may be s. */
static void lower_copy(char *dst, size_t dstlen, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < dstlen; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[i] = '\0';
}

/* ---- common answers --------------------------------------------------- */

static enum proto_err fail_unavailable(struct req *r, const char *what)
{
	return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "%s unavailable, retry later", what);
}

/* A DB_DUPLICATE on the users table as 409 already_exists with the field. */
static enum proto_err fail_duplicate(struct req *r)
{
	const char *key = db_dup_key(r->w);

	if (strstr(key, "email"))
		return req_fail_exists(r, "email");
	if (strstr(key, "mobile"))
		return req_fail_exists(r, "mobile");
	log_error("user insert refused by unexpected unique key '%s'", key);
	return PROTO_ERR_INTERNAL;
}

/* The userinfo object of spec 4.1 (plus disabled and createTime when full). */
static cJSON *user_json(const struct user_row *u, int full)
{
	cJSON *o = cJSON_CreateObject();

	if (o == NULL)
		return NULL;
	cJSON_AddNumberToObject(o, PROTO_KEY_ID, (double)u->id);
	cJSON_AddStringToObject(o, "name", u->name);
	cJSON_AddNumberToObject(o, "gender", u->gender);
	cJSON_AddStringToObject(o, "email", u->email);
	cJSON_AddStringToObject(o, "mobile", u->mobile);
	cJSON_AddNumberToObject(o, "type", u->type);
	cJSON_AddStringToObject(o, "role", proto_role_name(u->type));
	if (full) {
		cJSON_AddNumberToObject(o, "disabled", u->disabled);
		cJSON_AddNumberToObject(o, PROTO_KEY_CREATE_TIME, (double)u->create_time);
	}
	return o;
}

/* The login answer: a fresh token for u's current role and token version. */
static enum proto_err answer_token(struct req *r, const struct user_row *u)
{
	int64_t now = (int64_t)time(NULL);
	struct jwt_claims c = {
	    .user_id = u->id,
	    .role = u->type,
	    .tv = u->tv,
	    .iat = now,
	    .exp = now + cfg.access_expire,
	};
	char *tok = jwt_sign(&c, cfg.jwt_secret, strlen(cfg.jwt_secret));

	if (tok == NULL) {
		log_error("cannot sign token for user %" PRId64, u->id);
		return PROTO_ERR_INTERNAL;
	}
	cJSON_AddStringToObject(r->data, "accessToken", tok);
	cJSON_AddNumberToObject(r->data, "accessExpire", (double)c.exp);
	cJSON_AddNumberToObject(r->data, "refreshAfter", (double)(now + cfg.access_expire / 2));
	cJSON_AddStringToObject(r->data, "role", proto_role_name(u->type));
	free(tok);
	return PROTO_OK;
}

/* ---- verification codes ----------------------------------------------- */

/*
 * Both send routes limit before they store or send anything. The limits fail
 * closed: with Redis down no code could be stored anyway, and sending mail
 * or texts without a limit would make the server a spam relay. The address
 * comes first: a refused address must not use up the destination's minute,
 * or one address could keep anyone's codes from being sent.
 */
struct code_channel {
	enum codes_kind kind;
	const char *field; /* of the request, and the prefix of the limit's subject */
	size_t max_chars;
	int (*valid)(const char *);
	int (*send)(const char *dest, const char *code);
	const char *delivery; /* what failed when send fails */
};

static const struct code_channel email_channel = {CODES_EMAIL, "email",           PROTO_LEN_EMAIL,
                                                  valid_email, notify_email_code, "mail delivery"};
static const struct code_channel phone_channel = {CODES_PHONE,  "phone",         PROTO_LEN_MOBILE,
                                                  valid_mobile, notify_sms_code, "sms delivery"};

static enum proto_err send_code(struct req *r, const struct code_channel *ch)
{
	char subject[PROTO_LEN_EMAIL + 8], code[PROTO_CODE_DIGITS + 1];
	const char *dest;
	enum proto_err e;
	int sent;

	e = get_str(r, ch->field, ch->max_chars, 1, ch->valid, &dest);
	if (e != PROTO_OK)
		return e;
	e = limit_req_addr(r, "code:addr", CODE_PER_ADDRESS, CODE_ADDRESS_WINDOW_S);
	if (e != PROTO_OK)
		return e;
	snprintf(subject, sizeof(subject), "%s:", ch->field);
	lower_copy(subject + strlen(subject), sizeof(subject) - strlen(subject), dest);
	e = limit_req(r, "code:dest", subject, CODE_PER_DEST, CODE_DEST_WINDOW_S);
	if (e != PROTO_OK)
		return e;
	if (codes_issue(r->w, ch->kind, dest, code) < 0)
		return fail_unavailable(r, "code store");
	sent = ch->send(dest, code);
	memset(code, 0, sizeof(code));
	if (sent < 0) {
		/* Nobody received it: do not leave a code that blocks nothing but counts tries. */
		codes_drop(r->w, ch->kind, dest);
		return fail_unavailable(r, ch->delivery);
	}
	return PROTO_OK;
}

enum proto_err user_email_code_send(struct req *r)
{
	return send_code(r, &email_channel);
}

enum proto_err user_phone_code_send(struct req *r)
{
	return send_code(r, &phone_channel);
}

/* Check the code offered in field for dest; it stays live until use_code. */
static enum proto_err check_code(struct req *r, enum codes_kind kind, const char *dest,
                                 const char *field, const char *code)
{
	switch (codes_check(r->w, kind, dest, code)) {
	case CODES_OK:
		return PROTO_OK;
	case CODES_WRONG:
		return req_fail_field(r, field);
	case CODES_EXPIRED:
		return PROTO_ERR_CODE_EXPIRED;
	default:
		return fail_unavailable(r, "code store");
	}
}

/* Use up a code whose registration succeeded (best effort: it expires anyway). */
static void use_code(struct worker *w, enum codes_kind kind, const char *dest, const char *code)
{
	if (codes_consume(w, kind, dest, code) < 0)
		log_warn(
		    "cannot use up the verification code of '%s': it stays live until it expires",
		    dest);
}

/* ---- registration ----------------------------------------------------- */

struct new_user {
	const char *name;
	int64_t gender;
	const char *mobile;
	const char *email;
	const char *password;
};

/* The fields shared by /user/register and /admin/register; gender defaults to 0. */
static enum proto_err read_new_user(struct req *r, struct new_user *nu)
{
	enum proto_err e;
	int present;

	e = get_str(r, "name", PROTO_LEN_NAME, 1, valid_name, &nu->name);
	if (e == PROTO_OK)
		e = get_int(r, "gender", 0, 2, 0, &nu->gender, &present);
	if (e == PROTO_OK && !present)
		nu->gender = 0;
	if (e == PROTO_OK)
		e = get_str(r, "mobile", PROTO_LEN_MOBILE, 1, valid_mobile, &nu->mobile);
	if (e == PROTO_OK)
		e = get_str(r, "email", PROTO_LEN_EMAIL, 1, valid_email, &nu->email);
	if (e == PROTO_OK)
		e = get_str(r, "password", PROTO_LEN_PASSWORD_MAX, 1, valid_password,
		            &nu->password);
	return e;
}

/* 409 already_exists when another user (not except_id) has mobile or email. */
static enum proto_err check_unique(struct req *r, const char *mobile, const char *email,
                                   int64_t except_id)
{
	enum db_rc rc;
	int taken = 0;

	if (mobile) {
		rc = store_user_mobile_taken(r->w, mobile, except_id, &taken);
		if (rc != DB_OK)
			return txn_fail(r, rc);
		if (taken)
			return req_fail_exists(r, "mobile");
	}
	if (email) {
		rc = store_user_email_taken(r->w, email, except_id, &taken);
		if (rc != DB_OK)
			return txn_fail(r, rc);
		if (taken)
			return req_fail_exists(r, "email");
	}
	return PROTO_OK;
}

/* Hash the password and insert the user; u receives the new row. */
static enum db_rc insert_user(struct worker *w, const struct new_user *nu, int type,
                              struct user_row *u)
{
	memset(u, 0, sizeof(*u));
	if (password_hash(nu->password, u->password, sizeof(u->password)) < 0) {
		log_error("cannot hash password of new user '%s'", nu->mobile);
		return DB_ERROR;
	}
	u->id = ids_next();
	snprintf(u->name, sizeof(u->name), "%s", nu->name);
	u->gender = (int)nu->gender;
	snprintf(u->mobile, sizeof(u->mobile), "%s", nu->mobile);
	snprintf(u->email, sizeof(u->email), "%s", nu->email);
	u->type = type;
	return store_user_insert(w, u);
}

enum proto_err user_register(struct req *r)
{
	struct new_user nu;
	struct user_row u;
	const char *email_code, *phone_code = NULL;
	enum proto_err e;
	enum db_rc rc;

	e = read_new_user(r, &nu);
	if (e == PROTO_OK)
		e = get_str(r, "emailCode", PROTO_CODE_DIGITS, 1, valid_code, &email_code);
	if (e == PROTO_OK && cfg.require_phone_code)
		e = get_str(r, "phoneCode", PROTO_CODE_DIGITS, 1, valid_code, &phone_code);
	if (e != PROTO_OK)
		return e;
	/*
	 * The codes before uniqueness, so only the owner of the address learns
	 * whether a mobile or email is registered, and at most a code's tries
	 * of them: a taken mobile counts a try. The codes are used up only once
	 * the user exists, so a failed insert costs no code; the unique keys
	 * still let only one registration use a code.
	 */
	e = check_code(r, CODES_EMAIL, nu.email, "emailCode", email_code);
	if (e == PROTO_OK && phone_code)
		e = check_code(r, CODES_PHONE, nu.mobile, "phoneCode", phone_code);
	if (e != PROTO_OK)
		return e;
	e = check_unique(r, nu.mobile, nu.email, 0);
	if (e == PROTO_ERR_ALREADY_EXISTS) {
		codes_charge(r->w, CODES_EMAIL, nu.email);
		if (phone_code)
			codes_charge(r->w, CODES_PHONE, nu.mobile);
	}
	if (e != PROTO_OK)
		return e;
	rc = insert_user(r->w, &nu, PROTO_ROLE_CUSTOMER, &u);
	memset(u.password, 0, sizeof(u.password));
	if (rc == DB_DUPLICATE)
		return fail_duplicate(r);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	use_code(r->w, CODES_EMAIL, nu.email, email_code);
	if (phone_code)
		use_code(r->w, CODES_PHONE, nu.mobile, phone_code);
	cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)u.id);
	return PROTO_OK;
}

struct admin_register_args {
	const struct new_user *nu;
	int role;
	int64_t id; /* out */
};

static enum proto_err admin_register_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct admin_register_args *a = arg;
	struct user_row u;
	char detail[120];
	enum db_rc rc;

	rc = insert_user(r->w, a->nu, a->role, &u);
	memset(u.password, 0, sizeof(u.password));
	if (rc == DB_DUPLICATE)
		return fail_duplicate(r);
	TXN_TRY(rc);
	a->id = u.id;
	snprintf(detail, sizeof(detail), "role=%s mobile=%s", proto_role_name(a->role), u.mobile);
	TXN_TRY(txn_audit(r, "user.register", "user", u.id, detail));
	return PROTO_OK;
}

enum proto_err user_admin_register(struct req *r)
{
	struct admin_register_args a;
	struct new_user nu;
	const char *role_name;
	enum proto_err e;
	int role = PROTO_ROLE_CASHIER;

	e = read_new_user(r, &nu);
	if (e == PROTO_OK)
		e = get_str(r, "role", 16, 0, NULL, &role_name);
	if (e != PROTO_OK)
		return e;
	if (role_name) {
		role = proto_role_from_name(role_name);
		if (role != PROTO_ROLE_CASHIER && role != PROTO_ROLE_ADMIN)
			return req_fail_field(r, "role");
	}
	e = check_unique(r, nu.mobile, nu.email, 0);
	if (e != PROTO_OK)
		return e;
	a.nu = &nu;
	a.role = role;
	if ((e = txn_run(r, admin_register_tx, &a)) != PROTO_OK)
		return e;
	cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)a.id);
	return PROTO_OK;
}

/* ---- login and tokens ------------------------------------------------- */

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char dummy_hash[PHC_MAX + 1];

static void make_dummy_hash(void)
{
	if (password_hash("no user has this password", dummy_hash, sizeof(dummy_hash)) < 0)
		dummy_hash[0] = '\0';
}

/*
 * Spend the time of a real password check on an unknown user, so the answer
 * time does not tell which mobiles and emails are registered.
 */
static void burn_password_check(const char *password)
{
	pthread_once(&dummy_once, make_dummy_hash);
	if (dummy_hash[0])
		(void)password_verify(password, dummy_hash);
}

/*
 * A failed login leaves an audit row (actor 0, the mobile or email as
 * target). Autocommit: there is no transaction to share, and a failure to
 * write it does not change the answer (audit_log logs it).
 */
static void audit_login_failed(struct req *r, const char *mobile, const char *email, int staff_only)
{
	(void)audit_log(r->w, 0, "user.login_failed", mobile ? mobile : email,
	                staff_only ? "route=/admin/login" : "route=/user/login");
}

static enum proto_err login(struct req *r, int staff_only)
{
	const char *mobile, *email = NULL, *password;
	char subject[PROTO_LEN_EMAIL + 8];
	struct user_row u;
	enum proto_err e;
	enum db_rc rc;
	int found = 0, ok;

	e = get_str(r, "mobile", PROTO_LEN_MOBILE, 0, valid_mobile, &mobile);
	if (e == PROTO_OK && mobile == NULL) {
		e = get_str(r, "email", PROTO_LEN_EMAIL, 0, valid_email, &email);
		if (e == PROTO_OK && email == NULL)
			e = req_fail_field(r, "mobile");
	}
	if (e == PROTO_OK)
		e = get_str(r, "password", PROTO_LEN_PASSWORD_MAX, 1, NULL, &password);
	if (e != PROTO_OK)
		return e;

	/* Every attempt counts, before any password work: brute force costs 429s. */
	e = limit_req_addr(r, "login:addr", LOGIN_PER_ADDRESS, LOGIN_WINDOW_S);
	if (e != PROTO_OK)
		return e;
	if (mobile)
		rc = store_user_by_mobile(r->w, mobile, &u, &found);
	else
		rc = store_user_by_email(r->w, email, &u, &found);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	/*
	 * The per-mobile limit counts the account, however it is named: by
	 * mobile, by email, or by the email in another letter case (the users
	 * table matches it); otherwise each name would bring its own ten tries.
	 */
	if (found)
		snprintf(subject, sizeof(subject), "user:%" PRId64, u.id);
	else if (mobile)
		snprintf(subject, sizeof(subject), "mobile:%s", mobile);
	else
		snprintf(subject, sizeof(subject), "email:%s", email);
	lower_copy(subject, sizeof(subject), subject);
	e = limit_req(r, "login", subject, LOGIN_PER_SUBJECT, LOGIN_WINDOW_S);
	if (e != PROTO_OK) {
		memset(u.password, 0, sizeof(u.password));
		return e;
	}
	if (!found) {
		burn_password_check(password);
		audit_login_failed(r, mobile, email, staff_only);
		return req_fail_msg(r, PROTO_ERR_UNAUTHORIZED, MSG_BAD_LOGIN);
	}
	ok = password_verify(password, u.password);
	memset(u.password, 0, sizeof(u.password));
	if (!ok) {
		audit_login_failed(r, mobile, email, staff_only);
		return req_fail_msg(r, PROTO_ERR_UNAUTHORIZED, MSG_BAD_LOGIN);
	}
	/* Said only to whoever knows the password. */
	if (u.disabled)
		return req_fail_msg(r, PROTO_ERR_UNAUTHORIZED, "account is disabled");
	if (staff_only && u.type != PROTO_ROLE_ADMIN && u.type != PROTO_ROLE_CASHIER)
		return req_fail_msg(r, PROTO_ERR_FORBIDDEN, "staff only");
	return answer_token(r, &u);
}

enum proto_err user_login(struct req *r)
{
	return login(r, 0);
}

enum proto_err user_admin_login(struct req *r)
{
	return login(r, 1);
}

/* The caller's row; the dispatcher has checked it exists, but it may just have gone. */
static enum proto_err load_self(struct req *r, struct user_row *u)
{
	enum db_rc rc;
	int found = 0;

	rc = store_user_get(r->w, r->auth.uid, u, &found);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (!found || u->disabled)
		return PROTO_ERR_TOKEN_EXPIRED;
	return PROTO_OK;
}

enum proto_err user_refresh_auth(struct req *r)
{
	struct user_row u;
	enum proto_err e = load_self(r, &u);

	if (e != PROTO_OK)
		return e;
	return answer_token(r, &u);
}

/* ---- profile ---------------------------------------------------------- */

enum proto_err user_info(struct req *r)
{
	struct user_row u;
	cJSON *o;
	enum proto_err e = load_self(r, &u);

	if (e != PROTO_OK)
		return e;
	o = user_json(&u, 0);
	if (o == NULL)
		return PROTO_ERR_INTERNAL;
	return req_answer(r, o);
}

enum proto_err user_update_info(struct req *r)
{
	struct user_patch p = {NULL, -1, NULL, NULL};
	struct user_row u;
	const char *email_code = NULL, *phone_code = NULL;
	int64_t gender;
	enum proto_err e;
	enum db_rc rc;
	int present;

	/* A present key is set, "" and 0 included, and so must be valid. */
	e = get_str(r, "name", PROTO_LEN_NAME, 0, valid_name, &p.name);
	if (e == PROTO_OK)
		e = get_int(r, "gender", 0, 2, 0, &gender, &present);
	if (e == PROTO_OK && present)
		p.gender = (int)gender;
	if (e == PROTO_OK)
		e = get_str(r, "mobile", PROTO_LEN_MOBILE, 0, valid_mobile, &p.mobile);
	if (e == PROTO_OK)
		e = get_str(r, "email", PROTO_LEN_EMAIL, 0, valid_email, &p.email);
	if (e != PROTO_OK)
		return e;
	if (!p.name && p.gender < 0 && !p.mobile && !p.email)
		return PROTO_OK;
	e = load_self(r, &u);
	if (e != PROTO_OK)
		return e;
	/* The current address again is no change and needs no code. */
	if (p.email && !strcasecmp(p.email, u.email))
		p.email = NULL;
	if (p.mobile && !strcmp(p.mobile, u.mobile))
		p.mobile = NULL;
	/*
	 * Spec 4.1: a new address needs the code sent to it, checked before
	 * uniqueness as at registration, so only its owner learns whether it
	 * is taken, at most a code's tries at a time, under the code-sending
	 * limits.
	 */
	if (p.email)
		e = get_str(r, "emailCode", PROTO_CODE_DIGITS, 1, valid_code, &email_code);
	if (e == PROTO_OK && p.mobile)
		e = get_str(r, "phoneCode", PROTO_CODE_DIGITS, 1, valid_code, &phone_code);
	if (e == PROTO_OK && email_code)
		e = check_code(r, CODES_EMAIL, p.email, "emailCode", email_code);
	if (e == PROTO_OK && phone_code)
		e = check_code(r, CODES_PHONE, p.mobile, "phoneCode", phone_code);
	if (e != PROTO_OK)
		return e;
	if (!p.name && p.gender < 0 && !p.mobile && !p.email)
		return PROTO_OK;
	e = check_unique(r, p.mobile, p.email, r->auth.uid);
	if (e == PROTO_ERR_ALREADY_EXISTS) {
		if (email_code)
			codes_charge(r->w, CODES_EMAIL, p.email);
		if (phone_code)
			codes_charge(r->w, CODES_PHONE, p.mobile);
	}
	if (e != PROTO_OK)
		return e;
	rc = store_user_update_info(r->w, r->auth.uid, &p);
	if (rc == DB_DUPLICATE)
		return fail_duplicate(r);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (email_code)
		use_code(r->w, CODES_EMAIL, p.email, email_code);
	if (phone_code)
		use_code(r->w, CODES_PHONE, p.mobile, phone_code);
	return PROTO_OK;
}

/*
 * The token check reads the user's token state from the read cache
 * ("utv:<id>": tv, disabled, type), so an authenticated request costs no
 * MySQL round trip. Every write that changes one of them (password change,
 * disable) drops the key after its commit; cache.h's tombstones keep a
 * concurrent load from putting the old state back, so revocation stays
 * immediate. With Redis down, cache_get reads MySQL.
 */
#define TV_TTL_S 300

static void tv_key(char *k, size_t len, int64_t uid)
{
	snprintf(k, len, "utv:%" PRId64, uid);
}

static void tv_forget(struct worker *w, int64_t uid)
{
	char k[40];

	tv_key(k, sizeof(k), uid);
	cache_del(w, k);
}

static enum proto_err tv_load(struct worker *w, void *arg, cJSON **out)
{
	const int64_t *uid = arg;
	struct user_row u;
	enum db_rc rc;
	int found = 0;
	cJSON *o;

	*out = NULL;
	rc = store_user_get(w, *uid, &u, &found);
	memset(u.password, 0, sizeof(u.password));
	if (rc != DB_OK)
		return txn_err(rc);
	if (!found)
		return PROTO_OK;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddNumberToObject(o, "tv", (double)u.tv) ||
	    !cJSON_AddNumberToObject(o, "disabled", u.disabled) ||
	    !cJSON_AddNumberToObject(o, "type", u.type)) {
		cJSON_Delete(o);
		return PROTO_ERR_INTERNAL;
	}
	*out = o;
	return PROTO_OK;
}

enum proto_err user_update_pass(struct req *r)
{
	const char *old_pw, *new_pw;
	char hash[PHC_MAX + 1], subject[32];
	struct user_row u;
	enum proto_err e;
	enum db_rc rc;
	int ok;

	e = get_str(r, "oldPassword", PROTO_LEN_PASSWORD_MAX, 1, NULL, &old_pw);
	if (e == PROTO_OK)
		e = get_str(r, "password", PROTO_LEN_PASSWORD_MAX, 1, valid_password, &new_pw);
	if (e != PROTO_OK)
		return e;
	snprintf(subject, sizeof(subject), "%" PRId64, r->auth.uid);
	e = limit_req(r, "pass", subject, PASS_PER_USER, PASS_WINDOW_S);
	if (e != PROTO_OK)
		return e;
	e = load_self(r, &u);
	if (e != PROTO_OK)
		return e;
	ok = password_verify(old_pw, u.password);
	memset(u.password, 0, sizeof(u.password));
	if (!ok)
		return req_fail_field(r, "oldPassword");
	if (password_hash(new_pw, hash, sizeof(hash)) < 0) {
		log_error("cannot hash new password of user %" PRId64, r->auth.uid);
		return PROTO_ERR_INTERNAL;
	}
	/* Bumps the token version: every older token of this user is revoked. */
	rc = store_user_set_password(r->w, r->auth.uid, hash);
	memset(hash, 0, sizeof(hash));
	if (rc != DB_OK)
		return txn_fail(r, rc);
	tv_forget(r->w, r->auth.uid);
	return PROTO_OK;
}

/* ---- admin ------------------------------------------------------------ */

enum proto_err user_list(struct req *r)
{
	const char *role_name;
	struct user_row *rows = NULL;
	int64_t page, page_size, total;
	cJSON *list;
	enum proto_err e;
	enum db_rc rc;
	int type = -1, n = 0, i;

	e = req_paging(r, &page, &page_size);
	if (e == PROTO_OK)
		e = get_str(r, "role", 16, 0, NULL, &role_name);
	if (e != PROTO_OK)
		return e;
	if (role_name) {
		type = proto_role_from_name(role_name);
		if (type < 0)
			return req_fail_field(r, "role");
	}
	rc = store_user_list(r->w, type, (page - 1) * page_size, page_size, &rows, &n, &total);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	e = PROTO_ERR_INTERNAL;
	list = cJSON_AddArrayToObject(r->data, PROTO_KEY_LIST);
	if (list == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		cJSON *o = user_json(&rows[i], 1);

		if (o == NULL)
			goto out;
		cJSON_AddItemToArray(list, o);
	}
	cJSON_AddNumberToObject(r->data, PROTO_KEY_TOTAL, (double)total);
	e = PROTO_OK;
out:
	free(rows);
	return e;
}

struct disable_args {
	int64_t id;
	int disabled;
};

/*
 * The caller's admin row is locked and re-read inside the transaction: an
 * admin disabled a moment ago by another admin (two admins disabling each
 * other at once) is refused, so at least one of them stays. With the caller
 * an enabled admin other than the target, an enabled admin always remains;
 * the last-admin check says so explicitly.
 */
static enum proto_err disable_txn(struct req *r, void *arg, enum db_rc *db)
{
	const struct disable_args *a = arg;
	struct user_row u;
	int found = 0, admins = 0, caller_ok = 0;

	TXN_TRY(store_user_lock_admins(r->w, r->auth.uid, &admins, &caller_ok));
	if (!caller_ok)
		return req_fail_msg(r, PROTO_ERR_TOKEN_EXPIRED, "token revoked");
	TXN_TRY(store_user_get(r->w, a->id, &u, &found));
	memset(u.password, 0, sizeof(u.password));
	if (!found)
		return PROTO_ERR_NOT_FOUND;
	if (a->disabled && u.type == PROTO_ROLE_ADMIN && !u.disabled && admins <= 1)
		return req_fail_conflict(r, "last_admin");
	/* Disabling bumps the token version: the user's tokens die at once. */
	TXN_TRY(store_user_set_disabled(r->w, a->id, a->disabled));
	TXN_TRY(txn_audit(r, a->disabled ? "user.disable" : "user.enable", "user", a->id, NULL));
	return PROTO_OK;
}

enum proto_err user_disable(struct req *r)
{
	struct disable_args a;
	int64_t disabled;
	enum proto_err e;
	int present;

	e = get_int(r, PROTO_KEY_ID, 1, PROTO_MAX_ID, 1, &a.id, &present);
	if (e == PROTO_OK)
		e = get_int(r, "disabled", 0, 1, 1, &disabled, &present);
	if (e != PROTO_OK)
		return e;
	a.disabled = (int)disabled;
	if (a.disabled && a.id == r->auth.uid)
		return req_fail_conflict(r, "self");
	e = txn_run(r, disable_txn, &a);
	if (e == PROTO_OK)
		tv_forget(r->w, a.id);
	return e;
}

int user_bootstrap_admin(struct worker *w, const char *mobile_colon_password)
{
	char mobile[PROTO_LEN_MOBILE + 1];
	char email[PROTO_LEN_MOBILE + 32];
	const char *colon;
	struct new_user nu;
	struct user_row u;
	enum db_rc rc;
	int exists = 0;
	size_t mlen;

	if (mobile_colon_password == NULL || mobile_colon_password[0] == '\0')
		return 0;
	colon = strchr(mobile_colon_password, ':');
	mlen = colon ? (size_t)(colon - mobile_colon_password) : 0;
	if (colon == NULL || mlen >= sizeof(mobile)) {
		log_error("bootstrap_admin must be 'mobile:password'");
		return -1;
	}
	memcpy(mobile, mobile_colon_password, mlen);
	mobile[mlen] = '\0';
	if (!valid_mobile(mobile)) {
		log_error("bootstrap_admin mobile '%s' is not a valid mobile number", mobile);
		return -1;
	}
	if (!valid_password(colon + 1)) {
		log_error("bootstrap_admin password must have %d to %d characters",
		          PROTO_LEN_PASSWORD_MIN, PROTO_LEN_PASSWORD_MAX);
		return -1;
	}
	rc = store_user_admin_exists(w, &exists);
	if (rc != DB_OK)
		goto db_failed;
	if (exists)
		return 0;

	/* The users table needs a unique email; .invalid never delivers (RFC 2606). */
	snprintf(email, sizeof(email), "%s@boxoffice.invalid",
	         mobile[0] == '+' ? mobile + 1 : mobile);
	nu.name = "admin";
	nu.gender = 0;
	nu.mobile = mobile;
	nu.email = email;
	nu.password = colon + 1;
	rc = insert_user(w, &nu, PROTO_ROLE_ADMIN, &u);
	memset(u.password, 0, sizeof(u.password));
	if (rc == DB_DUPLICATE) {
		/* Another instance may have won the race; anything else is a real clash. */
		rc = store_user_admin_exists(w, &exists);
		if (rc != DB_OK)
			goto db_failed;
		if (exists)
			return 0;
		log_error("cannot create bootstrap admin: mobile '%s' belongs to another user",
		          mobile);
		return -1;
	}
	if (rc != DB_OK)
		goto db_failed;
	log_info("created bootstrap admin '%s' (user %" PRId64 ")", mobile, u.id);
	return 0;
db_failed:
	log_error("cannot create bootstrap admin '%s': database %s", mobile,
	          rc == DB_UNAVAILABLE ? "unavailable" : "error");
	return -1;
}

enum proto_err user_auth_check(struct worker *w, struct auth *a, int64_t token_tv)
{
	const cJSON *tv, *dis, *type;
	enum proto_err e;
	cJSON *o = NULL;
	char k[40];

	tv_key(k, sizeof(k), a->uid);
	/* Every authenticated request: the near cache spares the round trip. */
	e = cache_get_near(w, k, TV_TTL_S, tv_load, &a->uid, &o);
	if (e == PROTO_ERR_NOT_FOUND)
		return PROTO_ERR_TOKEN_EXPIRED;
	if (e != PROTO_OK)
		return e;
	tv = cJSON_GetObjectItemCaseSensitive(o, "tv");
	dis = cJSON_GetObjectItemCaseSensitive(o, "disabled");
	type = cJSON_GetObjectItemCaseSensitive(o, "type");
	if (!cJSON_IsNumber(tv) || !cJSON_IsNumber(dis) || !cJSON_IsNumber(type))
		e = PROTO_ERR_INTERNAL;
	else if (dis->valueint || (int64_t)tv->valuedouble != token_tv)
		e = PROTO_ERR_TOKEN_EXPIRED;
	else
		a->role = type->valueint;
	cJSON_Delete(o);
	return e;
}
