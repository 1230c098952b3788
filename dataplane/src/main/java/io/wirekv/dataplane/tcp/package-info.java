/**
 * memcached over TCP through the kernel (Java NIO), the compatibility path beside the UDP
 * fast path. Each TCP thread is a table reader: it answers reads itself, forwards writes over
 * its rings, and parks a connection while its write is in flight so replies stay in order.
 * A TCP thread reports QSBR quiescence once per duty cycle, after all replies have been copied
 * out of the table.
 */
package io.wirekv.dataplane.tcp;
