/**
 * memcached's text and meta protocol, byte for byte as memcached 1.6.18 answers it.
 * <p>
 * Threading rule: a {@link io.wirekv.dataplane.proto.RequestProcessor} belongs to one reader thread (an
 * lcore or a TCP thread) and a {@link io.wirekv.dataplane.proto.WriteExecutor} to one partition writer
 * thread; neither is shared. The reader answers reads from the table directly and hands every write, as
 * raw command bytes, to the key's partition writer through a
 * {@link io.wirekv.dataplane.proto.WriteForwarder}; the session parks until the writer's reply comes back
 * through {@link io.wirekv.dataplane.proto.RequestProcessor#resume}, so later commands of the same input
 * (pipelining) see the write, and replies stay in request order.
 * <p>
 * {@link io.wirekv.dataplane.proto.ServerStats} is the only structure written by several threads: each
 * thread owns one padded slot and only {@code stats} reads across slots.
 * <p>
 * Nothing here allocates or throws per request: commands are parsed directly from the input
 * {@link java.lang.foreign.MemorySegment}, numbers are formatted straight into the reply, and malformed
 * input gets memcached's own error line.
 */
package io.wirekv.dataplane.proto;
