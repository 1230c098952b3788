/**
 * A small memcached text/meta protocol client over TCP and memcached's UDP framing, for the
 * {@code wirekv get/set/delete/mc} commands and tests. Not on any hot path: it allocates freely.
 * One transport per thread.
 */
package io.wirekv.controlplane.client;
