/**
 * memcached over TCP through the kernel (Java NIO), the compatibility path beside the UDP
 * fast path. Each TCP thread is a table reader: it answers reads itself and forwards writes over
 * its rings, up to 64 text writes of a connection at once; replies leave in request order, once
 * per duty cycle per connection, and any other command waits until the connection's earlier
 * writes are answered.
 * A TCP thread reports QSBR quiescence once per duty cycle, after all replies have been copied
 * out of the table.
 */
package io.wirekv.dataplane.tcp;
