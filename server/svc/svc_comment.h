/*
 * svc_comment.h: the comment service of spec 4.9: customers write comments
 * (optionally anonymous, optionally rated 1..5) about films; anyone reads a
 * film's visible comments with their average rating; admins hide comments.
 *
 * Rules beyond the table of 4.9:
 *   - anonymity: a reader who is not admin sees uid 0 and author "" on an
 *     anonymous comment, in every answer (the writer's own /comment/list
 *     too: spec 4.9 makes no exception for the writer);
 *   - a hidden comment is 404 for non-admins in /comment/detail and left out
 *     of their /comment/film/list (admins see it, with "hidden":1); its
 *     writer still sees it in /comment/list;
 *   - /comment/update is owner only, /comment/remove owner or admin:
 *     another user's comment is 404 not_found (spec 2: never 403 for an id
 *     of another customer), except for an admin, who is told 403 forbidden
 *     by /comment/update;
 *   - rating: 1..5 or absent; in /comment/update "rating": null clears it;
 *     answers carry "rating": 0 for "no rating";
 *   - /comment/film/list answers 404 for an unknown or removed film, and
 *     "avgRating" (over the visible rated comments, rounded to 2 decimals; 0
 *     when there is none) with "ratingCount";
 *   - /comment/list takes optional page/pageSize; without them it answers
 *     the newest PROTO_PAGE_SIZE_MAX comments. Both lists carry "total".
 *
 * Film lists and details are cached (cache.h): the list keys embed the
 * generation of namespace "comment:<fid>", bumped by every write to that
 * film's comments; detail keys "comment:<id>" are dropped on every write.
 * The author's name is cached with the comment, so a renamed user's
 * comments show the old name until the TTL (5 minutes) runs out.
 * Handlers run on worker threads.
 */
#ifndef BOXOFFICE_SVC_SVC_COMMENT_H
#define BOXOFFICE_SVC_SVC_COMMENT_H

#include "core/req.h"

#endif
