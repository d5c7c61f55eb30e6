/*
 * routes.h: the handler of every route of the daemon, one list (like git's
 * builtin.h), so that registry.c can route them all from one table. Each
 * handler is defined in the service named by its prefix (svc/svc_<name>.c,
 * whose header describes the service's rules) and runs on a worker thread;
 * it returns PROTO_OK with r->data filled, or an error already set in r.
 */
#ifndef BOXOFFICE_SVC_ROUTES_H
#define BOXOFFICE_SVC_ROUTES_H

#include "core/req.h"

enum proto_err user_email_code_send(struct req *r);
enum proto_err user_phone_code_send(struct req *r);
enum proto_err user_register(struct req *r);
enum proto_err user_admin_register(struct req *r);
enum proto_err user_login(struct req *r);
enum proto_err user_admin_login(struct req *r);
enum proto_err user_refresh_auth(struct req *r);
enum proto_err user_info(struct req *r);
enum proto_err user_update_info(struct req *r);
enum proto_err user_update_pass(struct req *r);
enum proto_err user_list(struct req *r);
enum proto_err user_disable(struct req *r);
enum proto_err film_create(struct req *r);
enum proto_err film_update(struct req *r);
enum proto_err film_remove(struct req *r);
enum proto_err film_detail(struct req *r);
enum proto_err film_sale_list(struct req *r);
enum proto_err film_list(struct req *r);
enum proto_err hall_create(struct req *r);
enum proto_err hall_update(struct req *r);
enum proto_err hall_remove(struct req *r);
enum proto_err hall_detail(struct req *r);
enum proto_err hall_list(struct req *r);
enum proto_err screening_create(struct req *r);
enum proto_err screening_update(struct req *r);
enum proto_err screening_cancel(struct req *r);
enum proto_err screening_detail(struct req *r);
enum proto_err screening_list(struct req *r);
enum proto_err screening_seats(struct req *r);
enum proto_err comment_create(struct req *r);
enum proto_err comment_update(struct req *r);
enum proto_err comment_remove(struct req *r);
enum proto_err comment_detail(struct req *r);
enum proto_err comment_list(struct req *r);
enum proto_err comment_film_list(struct req *r);
enum proto_err comment_hide(struct req *r);
enum proto_err advert_create(struct req *r);
enum proto_err advert_update(struct req *r);
enum proto_err advert_remove(struct req *r);
enum proto_err advert_detail(struct req *r);
enum proto_err advert_commer_list(struct req *r);
enum proto_err advert_normal_list(struct req *r);
enum proto_err seat_hold(struct req *r);
enum proto_err seat_release(struct req *r);
enum proto_err order_create(struct req *r);
enum proto_err order_detail(struct req *r);
enum proto_err order_list(struct req *r);
enum proto_err order_paid_list(struct req *r);
enum proto_err order_remove(struct req *r);
enum proto_err order_update(struct req *r);
enum proto_err pay_create(struct req *r);
enum proto_err pay_detail(struct req *r);
enum proto_err pay_callback(struct req *r);
enum proto_err shift_open(struct req *r);
enum proto_err shift_current(struct req *r);
enum proto_err shift_close(struct req *r);
enum proto_err ticket_checkin(struct req *r);
enum proto_err ticket_detail(struct req *r);
enum proto_err ticket_qr(struct req *r);
enum proto_err refund_order(struct req *r);
enum proto_err refund_order_search(struct req *r);
enum proto_err report_sales(struct req *r);
enum proto_err report_occupancy(struct req *r);
enum proto_err report_audit_list(struct req *r);

#endif
