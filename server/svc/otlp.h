/*
 * otlp.h: export of finished spans (core/trace.h) as OTLP/HTTP JSON.
 *
 * With an endpoint set (setting otlp_endpoint), otlp_start installs the
 * trace sink: a span that ends is copied into a bounded queue (a few
 * instructions under a lock; the loop thread ends spans too) or, when the
 * queue is full, dropped and counted. One exporter thread takes up to
 * OTLP_BATCH_MAX spans at a time, at least once a second, and POSTs them
 * with libcurl to <endpoint>/v1/traces as one ExportTraceServiceRequest
 * (resourceSpans/scopeSpans/spans). A collector that is down costs the
 * batches sent meanwhile (logged once per outage), never a request.
 *
 * Here rather than in core because it needs libcurl, which only this layer
 * may link (server/guards/no-curl): core keeps the span model and the sink
 * hook, so every layer can make spans without knowing about the exporter.
 *
 * /metrics: boxoffice_otlp_spans_exported_total, _dropped_total,
 * _failed_total (spans of batches the collector did not take).
 */
#ifndef BOXOFFICE_SVC_OTLP_H
#define BOXOFFICE_SVC_OTLP_H

#define OTLP_QUEUE_MAX 2048
#define OTLP_BATCH_MAX 256

/*
 * Start the exporter for endpoint (http[s]://host:port[/prefix]); an empty
 * or NULL endpoint starts nothing. Returns 0, or -1 (logged). Call once,
 * after curl_global_init, before spans are made on other threads.
 */
int otlp_start(const char *endpoint);
/* Remove the sink, send what is queued (one last try) and join the thread. */
void otlp_stop(void);

#endif
