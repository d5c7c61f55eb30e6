/* i18n.c: language choice and lookups over the per-language tables. */
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

static enum i18n_lang current = I18N_EN;

static const char *const id_names[S_COUNT] = {
#define I18N_NAME(id) #id,
    I18N_IDS(I18N_NAME)
#undef I18N_NAME
};

enum i18n_lang i18n_choose(const char *setting)
{
	const char *v = setting;
	const char *envs[] = {"LC_ALL", "LC_MESSAGES", "LANG"};

	for (size_t i = 0; (!v || !*v) && i < sizeof(envs) / sizeof(envs[0]); i++)
		v = getenv(envs[i]);
	current =
	    (v && (v[0] == 'z' || v[0] == 'Z') && (v[1] == 'h' || v[1] == 'H')) ? I18N_ZH : I18N_EN;
	return current;
}

void i18n_set(enum i18n_lang lang)
{
	current = lang;
}

enum i18n_lang i18n_get(void)
{
	return current;
}

const char *tr(enum str_id id)
{
	const char *s;

	if ((unsigned)id >= S_COUNT)
		return "?";
	s = current == I18N_ZH ? i18n_zh[id] : i18n_en[id];
	if (!s)
		s = i18n_en[id];
	return s ? s : "?";
}

const char *tr_error(const char *slug)
{
	static const struct {
		const char *slug;
		enum str_id id;
	} map[] = {
	    {"unauthorized", S_ERR_unauthorized},
	    {"token_expired", S_ERR_token_expired},
	    {"bad_signature", S_ERR_unauthorized},
	    {"forbidden", S_ERR_forbidden},
	    {"not_found", S_ERR_not_found},
	    {"invalid_field", S_ERR_invalid_field},
	    {"seat_taken", S_ERR_seat_taken},
	    {"conflict", S_ERR_conflict},
	    {"already_exists", S_ERR_already_exists},
	    {"hold_expired", S_ERR_hold_expired},
	    {"rate_limited", S_ERR_rate_limited},
	    {"unavailable", S_ERR_unavailable},
	    {"internal", S_ERR_internal},
	    {"bad_request", S_ERR_bad_request},
	};

	for (size_t i = 0; slug && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(slug, map[i].slug))
			return tr(map[i].id);
	return tr(S_ERR_other);
}

const char *tr_ticket_type(const char *type)
{
	if (!strcmp(type, "adult"))
		return tr(S_TYPE_adult);
	if (!strcmp(type, "child"))
		return tr(S_TYPE_child);
	if (!strcmp(type, "senior"))
		return tr(S_TYPE_senior);
	if (!strcmp(type, "student"))
		return tr(S_TYPE_student);
	return type;
}

const char *i18n_id_name(enum str_id id)
{
	return (unsigned)id < S_COUNT ? id_names[id] : "?";
}
