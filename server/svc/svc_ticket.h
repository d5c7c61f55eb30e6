/*
 * svc_ticket.h: tickets (spec 4.8): /ticket/checkin at the door (admitted,
 * already_used, void, wrong_screening, too_early; check-in opens
 * checkin_window seconds before the start), /ticket/detail and /ticket/qr
 * (the code as an SVG QR image, from libqrencode) for the owner or staff.
 */
#ifndef BOXOFFICE_SVC_SVC_TICKET_H
#define BOXOFFICE_SVC_SVC_TICKET_H

#include "core/req.h"

#endif
