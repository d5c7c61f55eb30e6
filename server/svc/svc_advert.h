/*
 * svc_advert.h: the advert service of spec 4.10: admins write commercial
 * adverts (isCom 1) and announcements (isCom 0); anyone reads the valid ones.
 *
 * Rules beyond the table of 4.10:
 *   - validity: an advert is valid when its stored status is 0 and now is
 *     inside its window (startAt <= now, and now < endAt; 0 = unbounded).
 *     Answers carry the effective status: 1 for an advert outside its
 *     window even if stored as 0. /advert/detail answers expired adverts
 *     too; the lists leave them out.
 *   - /advert/update sets every present key (0 and "" included, so status
 *     can go back to 0); absent keys are unchanged. filmId must name an
 *     existing film (or be 0: none); endAt must be after startAt when both
 *     are set.
 *   - a new advert that is a valid announcement at once is published with
 *     announce_advert after its transaction commits; so is an update that
 *     turns an advert that was not a valid announcement into one. Other
 *     edits are not re-announced, and an announcement whose window opens
 *     later is not announced when it opens (nothing watches the clock).
 *   - /advert/commer/list with a token (any role) is ordered for that user:
 *     adverts of films with paid orders of the user first, then adverts
 *     whose genre is a genre of those films (case-insensitive, comma
 *     separated lists match on any item), then the rest; newest first
 *     within each group. Without a token, newest first.
 *   - lists answer at most STORE_ADVERT_LIST_MAX adverts, with "total".
 *   - admin writes are audited (advert.create, advert.update,
 *     advert.remove) in the same transaction as the write.
 *
 * Caching: detail "advert:<id>", lists "advert:list:<isCom>:g<gen>" with
 * the generation of namespace "advert"; every write drops the detail and
 * bumps the namespace. Time windows are applied when answering, so cached
 * rows never outlive their window. Handlers run on worker threads.
 */
#ifndef BOXOFFICE_SVC_SVC_ADVERT_H
#define BOXOFFICE_SVC_SVC_ADVERT_H

#include "core/req.h"

#endif
