/**
 * memcached's text and meta protocol, byte for byte as memcached 1.6.18 answers it.
 * <p>
 * Threading rule: a {@link io.wirekv.dataplane.proto.RequestProcessor} belongs to one reader thread (an
 * lcore or a TCP thread) and a {@link io.wirekv.dataplane.proto.WriteApplier} to one partition writer
 * thread; neither is shared. The reader parses each command once, answers reads from the table directly
 * and encodes every write as one binary {@link io.wirekv.dataplane.record.WriteRecordDescriptor write
 * record} on the key's partition ring ({@link io.wirekv.dataplane.proto.WriteForwarder}); the writer applies
 * it without parsing any text and answers with a binary reply, which the reader formats from its own parse
 * when {@link io.wirekv.dataplane.proto.RequestProcessor#resume} hands it back. The session parks meanwhile,
 * so later commands of the same input (pipelining) see the write, and replies stay in request order; a
 * pipelining TCP session parks only a command that is not a text write, behind its earlier writes (see
 * {@code WritePipeline}), and keeps its writes' replies in request order itself.
 * <p>
 * The reader side reads top to bottom from {@code RequestProcessor} (framing, dispatch, park/resume) to one
 * class per command family: {@code GetCommands}, {@code TextCommands}, {@code MetaCommands}; the writer side
 * is {@code WriteApplier} (with {@code MetaWrites}); {@code WriteReplyFormatter} turns the writer's answer
 * into text.
 * <p>
 * {@link io.wirekv.dataplane.proto.ServerStats} is the only structure written by several threads: each
 * thread owns one padded slot and only {@code stats} reads across slots.
 * <p>
 * Nothing here allocates or throws per request: commands are parsed directly from the input
 * {@link java.lang.foreign.MemorySegment}, numbers are formatted straight into the reply, and malformed
 * input gets memcached's own error line.
 */
package io.wirekv.dataplane.proto;
