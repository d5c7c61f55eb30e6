/* ws.c: placeholder until the hub lands: refuses every upgrade. */
#include "ws/ws.h"

int ws_start(void)
{
	return 0;
}
void ws_stop(void)
{
}
int ws_handshake_ok(const char *protocols, const char *key, int version)
{
	(void)protocols;
	(void)key;
	(void)version;
	return 0;
}
int ws_accept_key(const char *key, char *out, size_t outlen)
{
	(void)key;
	(void)out;
	(void)outlen;
	return -1;
}
struct ws_client *ws_client_new(struct conn *c, const char *remote)
{
	(void)c;
	(void)remote;
	return 0;
}
int ws_client_rx(struct ws_client *w, const void *data, size_t len)
{
	(void)w;
	(void)data;
	(void)len;
	return -1;
}
int ws_client_writeable(struct ws_client *w)
{
	(void)w;
	return 0;
}
void ws_client_closed(struct ws_client *w)
{
	(void)w;
}
void ws_loop_wake(void)
{
}
