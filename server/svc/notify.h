/*
 * notify.h: delivery of verification codes (spec 4.1): email by SMTP
 * (settings smtp_url, smtp_from) and text messages through the SMS gateway
 * (POST sms_url with {"phone","text"}), both with libcurl and 5 s timeouts.
 * An empty url means no delivery: the code is logged at info level instead
 * (development and demo setups).
 *
 * Blocking: worker threads only, never the loop thread. Callers have
 * validated the destination (no CR/LF or angle brackets can reach a header).
 */
#ifndef BOXOFFICE_SVC_NOTIFY_H
#define BOXOFFICE_SVC_NOTIFY_H

/* Mail code to the address to. Returns 0, or -1 when delivery failed (logged). */
int notify_email_code(const char *to, const char *code);

/* Text code to phone. Returns 0 (gateway answered 2xx), or -1 (logged). */
int notify_sms_code(const char *phone, const char *code);

#endif
