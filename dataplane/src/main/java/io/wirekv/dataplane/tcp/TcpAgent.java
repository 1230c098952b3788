package io.wirekv.dataplane.tcp;

import io.wirekv.dataplane.guard.ValidatedSources;
import io.wirekv.dataplane.latency.RequestLatency;
import io.wirekv.dataplane.proto.ProtocolSettings;
import io.wirekv.dataplane.proto.RequestProcessor;
import io.wirekv.dataplane.proto.ServerStats;
import io.wirekv.dataplane.ring.ReaderRingEndpoint;
import io.wirekv.dataplane.ring.WriteRings;
import io.wirekv.dataplane.table.QsbrReader;
import io.wirekv.dataplane.table.Table;
import org.agrona.collections.IntArrayQueue;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * Serves memcached over TCP through the kernel (Java NIO), for clients that cannot use UDP.
 * One agent per TCP thread; each binds the port with SO_REUSEPORT so the kernel spreads
 * connections. It is a table reader like an lcore: reads are answered on this thread, writes
 * go to the partition's writer. A connection pipelines its text writes: it parses everything it has
 * received, puts up to {@link #MAX_WRITES_IN_FLIGHT} writes on the rings without waiting, and formats
 * the replies in request order as they come back; a read (or any other command) waits until the
 * writes before it are answered, so requests are answered strictly in order and see earlier writes
 * (see {@link RequestProcessor}). A connection with {@code MAX_WRITES_IN_FLIGHT} writes out, or
 * whose ring is full, stops reading until replies (or ring room) come back. Replies are written
 * out once per duty cycle per connection (one {@code write} for all the replies of the cycle).
 * <p>
 * Connections are bounded appliance-wide by a {@link ConnectionLimit} (memcached's {@code -c}); one
 * over it is answered {@link #TOO_MANY_CONNECTIONS} and closed, and counted in
 * {@code rejected_connections}, exactly as memcached does. Each connection's buffers cost resident
 * memory only as its commands use them (see {@link TcpConnection}). Every read from a client
 * refreshes its address in the {@link ValidatedSources}, which lets the UDP lcores send that address
 * replies larger than its requests.
 */
public final class TcpAgent implements Agent
{
    /** Text writes one connection may have with writers at once: more wait, so no client monopolises a ring. */
    public static final int MAX_WRITES_IN_FLIGHT = 64;

    /** memcached's answer to a connection over {@code -c}, before it closes the socket. */
    public static final String TOO_MANY_CONNECTIONS = "ERROR Too many open connections\r\n";

    private final String name;
    private final Table table;
    private final RequestProcessor processor;
    private final ServerStats stats;
    private final int statsSlot;
    private final ReaderRingEndpoint rings;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final TcpConnection[] connections;
    /** A slot whose connection closed with writes in flight stays reserved until this many replies are back. */
    private final int[] zombieReplies;
    /** Connections with reply bytes to write at the end of this duty cycle (each once: see flushPending). */
    private final IntArrayQueue toFlush;
    private final IntArrayQueue freeSlots;
    private final IntArrayQueue backpressured;
    private final int inputBytes;
    private final int replyBytes;
    private final ConnectionLimit limit;
    /** Addresses of TCP clients, for the UDP amplification guard; null when there is none. */
    private final ValidatedSources validatedSources;
    private final ByteBuffer tooManyConnections;
    private final MemorySegment errnoState = io.wirekv.nativebindings.Errno.allocateState(Arena.ofAuto());
    private final Consumer<SelectionKey> onSelected = this::onSelected;
    /** Recorded only by this thread when a read's replies have left; read by the metrics exporter. */
    private final RequestLatency latency = new RequestLatency();
    private QsbrReader qsbr;
    private int work;

    private final SelectPacing selectPacing;

    /**
     * @param reader      this thread's reader index in the {@link WriteRings}.
     * @param inputBytes  per-connection input buffer: must hold the largest command with its data.
     * @param replyBytes  per-connection reply buffer: must hold the largest single value reply.
     */
    public TcpAgent(
        final int reader, final InetSocketAddress bindAddress, final Table table, final ProtocolSettings settings,
        final ServerStats stats, final WriteRings writeRings, final int maxConnections,
        final int inputBytes, final int replyBytes) throws IOException
    {
        this(reader, bindAddress, table, settings, stats, writeRings, new ConnectionLimit(maxConnections), null,
            inputBytes, replyBytes, 1);
    }

    /**
     * @param limit            the appliance-wide connection limit, shared by every TCP agent.
     * @param validatedSources where client addresses are recorded for the UDP guard; null for none.
     * @param selectInterval poll the selector every this many duty cycles (and at least every 20 us, see
     *                       {@link SelectPacing}): 1 on its own thread; more when it shares an lcore's thread.
     */
    public TcpAgent(
        final int reader, final InetSocketAddress bindAddress, final Table table, final ProtocolSettings settings,
        final ServerStats stats, final WriteRings writeRings, final ConnectionLimit limit,
        final ValidatedSources validatedSources, final int inputBytes, final int replyBytes, final int selectInterval)
        throws IOException
    {
        final int maxConnections = limit.maxConnections(); // this thread may hold every connection
        this.limit = limit;
        this.validatedSources = validatedSources;
        final byte[] tooMany = TOO_MANY_CONNECTIONS.getBytes(StandardCharsets.US_ASCII);
        this.tooManyConnections = ByteBuffer.allocateDirect(tooMany.length).put(tooMany);
        this.selectPacing = new SelectPacing(selectInterval, SelectPacing.MAX_GAP_NS, SystemNanoClock.INSTANCE);
        this.name = "wirekv-tcp-" + reader;
        this.table = table;
        this.rings = new ReaderRingEndpoint(reader, writeRings, this::onReply);
        this.processor = new RequestProcessor(table, settings, stats, rings, reader); // reader index = stats slot
        this.stats = stats;
        this.statsSlot = reader;
        this.inputBytes = inputBytes;
        this.replyBytes = replyBytes;
        this.connections = new TcpConnection[maxConnections];
        this.zombieReplies = new int[maxConnections];
        this.toFlush = new IntArrayQueue(maxConnections, IntArrayQueue.DEFAULT_NULL_VALUE);
        this.freeSlots = new IntArrayQueue(maxConnections, IntArrayQueue.DEFAULT_NULL_VALUE);
        this.backpressured = new IntArrayQueue(maxConnections, IntArrayQueue.DEFAULT_NULL_VALUE);
        for (int i = 0; i < maxConnections; i++)
        {
            freeSlots.addInt(i);
        }
        this.selector = Selector.open();
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        server.bind(bindAddress, 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** The bound port (useful when bound to port 0). */
    public int port()
    {
        return server.socket().getLocalPort();
    }

    /**
     * Resident bytes of every open connection's buffers, measured with {@code mincore} (diagnostics and
     * tests: allocates; call it while the agent is idle, from any thread).
     */
    public long residentBufferBytes()
    {
        long total = 0;
        for (final TcpConnection connection : connections)
        {
            if (null != connection)
            {
                total += Math.max(0, connection.residentBytes());
            }
        }
        return total;
    }

    /** This thread's request latency histograms (read them from any thread). */
    public RequestLatency latency()
    {
        return latency;
    }

    @Override
    public void onStart()
    {
        qsbr = table.registerReader(name);
    }

    @Override
    public int doWork() throws IOException
    {
        work = 0;
        if (selectPacing.due()) // sharing a thread with an lcore (colocated): not every cycle
        {
            selector.selectNow(onSelected);
        }
        work += rings.drainReplies();
        for (int i = backpressured.size(); i > 0; i--)
        {
            final int slot = backpressured.pollInt();
            final TcpConnection connection = connections[slot];
            if (null != connection)
            {
                connection.backpressured = false;
                updateInterest(connection);
                pump(connection, processor.process(connection.session));
            }
        }
        flushReplies();
        qsbr.quiescent(); // this thread holds no ItemView past this point
        return work;
    }

    @Override
    public void onClose()
    {
        for (final TcpConnection connection : connections)
        {
            if (null != connection)
            {
                connection.close();
            }
        }
        try
        {
            server.close();
            selector.close();
        }
        catch (final IOException ignore)
        {
            // shutting down
        }
        if (null != qsbr)
        {
            qsbr.close();
        }
    }

    @Override
    public String roleName()
    {
        return name;
    }

    private void onSelected(final SelectionKey key)
    {
        work++;
        try
        {
            if (key.isAcceptable())
            {
                accept();
                return;
            }
            final TcpConnection connection = (TcpConnection)key.attachment();
            if (key.isWritable())
            {
                onWritable(connection);
            }
            else if (key.isReadable())
            {
                onReadable(connection);
            }
        }
        catch (final IOException ex)
        {
            final Object attachment = key.attachment();
            if (attachment instanceof TcpConnection connection)
            {
                close(connection);
            }
        }
    }

    private void accept() throws IOException
    {
        SocketChannel channel;
        while (null != (channel = server.accept()))
        {
            if (freeSlots.isEmpty() || !limit.tryAcquire())
            {
                reject(channel);
                continue;
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final int slot = freeSlots.pollInt();
            final SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            final TcpConnection connection = new TcpConnection(slot, channel, key, inputBytes, replyBytes, stats, statsSlot,
                MAX_WRITES_IN_FLIGHT);
            key.attach(connection);
            connections[slot] = connection;
            if (channel.getRemoteAddress() instanceof InetSocketAddress remote && remote.getAddress() instanceof Inet4Address v4)
            {
                final byte[] b = v4.getAddress();
                connection.peerIpv4 = (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
                validate(connection, System.nanoTime());
            }
            stats.connectionOpened(statsSlot);
        }
    }

    /** memcached's -c: answer the error line and close (a blocking write of 33 bytes to a fresh socket). */
    private void reject(final SocketChannel channel)
    {
        stats.connectionRejected(statsSlot);
        try (channel)
        {
            tooManyConnections.clear();
            channel.write(tooManyConnections);
        }
        catch (final IOException ignore)
        {
            // the client went away first; it is refused either way
        }
    }

    private void validate(final TcpConnection connection, final long nowNs)
    {
        if (null != validatedSources && 0 != connection.peerIpv4)
        {
            validatedSources.validate(connection.peerIpv4, nowNs);
        }
    }

    private void onReadable(final TcpConnection connection) throws IOException
    {
        if (connection.parked || connection.blockedOnWrite || connection.backpressured)
        {
            return;
        }
        final int read = connection.read();
        if (read < 0)
        {
            close(connection);
            return;
        }
        if (read > 0)
        {
            stats.add(statsSlot, ServerStats.BYTES_READ, read);
            connection.receivedNs = System.nanoTime(); // once per read: the requests in it share it
            validate(connection, connection.receivedNs);
            connection.receivedFrom = connection.inputStart;
            connection.wroteThroughWriter = false;
            connection.session.wrapInput(connection.input(), connection.inputStart, connection.inputEnd, false);
            pump(connection, processor.process(connection.session));
        }
    }

    private void onWritable(final TcpConnection connection) throws IOException
    {
        if (connection.flush())
        {
            connection.blockedOnWrite = false;
            updateInterest(connection);
            if (connection.closing)
            {
                close(connection);
                return;
            }
            if (!connection.parked && !connection.backpressured)
            {
                pump(connection, processor.process(connection.session)); // carry on where OUTPUT_FULL stopped
            }
        }
    }

    private void onReply(final long ticket, final MemorySegment memory, final long offset, final int length)
    {
        final int slot = (int)ticket; // the low half: a pipelined write's sequence is in the high half
        final TcpConnection connection = connections[slot];
        if (null == connection)
        {
            if (zombieReplies[slot] > 0 && --zombieReplies[slot] == 0)
            {
                freeSlots.addInt(slot); // the last write landed; nobody is left to tell
            }
            return;
        }
        try
        {
            pump(connection, processor.resume(connection.session, memory, offset, length));
        }
        catch (final IOException ex)
        {
            close(connection);
        }
    }

    /** Acts on the processor's status until the connection has to wait for something. */
    private void pump(final TcpConnection connection, final int firstStatus) throws IOException
    {
        int status = firstStatus;
        while (true)
        {
            connection.inputStart = connection.session.inputPosition();
            switch (status)
            {
                case RequestProcessor.DONE ->
                {
                    if (connection.inputFull())
                    {
                        close(connection); // one command larger than the buffer: the processor could not parse it
                        return;
                    }
                    connection.parked = false;
                    if (connection.session.writesInFlight() > 0)
                    {
                        connection.wroteThroughWriter = true; // pipelined writes: the read counts as a write
                    }
                    updateInterest(connection);
                    flushAtEndOfCycle(connection);
                    return;
                }
                case RequestProcessor.PARKED ->
                {
                    connection.parked = true; // input waits until the writes before the next command are answered
                    connection.wroteThroughWriter = true;
                    updateInterest(connection);
                    flushAtEndOfCycle(connection);
                    return;
                }
                case RequestProcessor.OUTPUT_FULL ->
                {
                    // waiting for the socket now, not for writers: OP_WRITE must carry on (a reply may not come)
                    connection.parked = false;
                    if (!flushOrWait(connection))
                    {
                        return;
                    }
                }
                case RequestProcessor.BACKPRESSURE ->
                {
                    connection.parked = false;
                    connection.wroteThroughWriter = true;
                    if (!connection.backpressured)
                    {
                        connection.backpressured = true; // retried next duty cycle; no reading meanwhile
                        backpressured.addInt(connection.slot);
                    }
                    updateInterest(connection);
                    flushAtEndOfCycle(connection);
                    return;
                }
                default ->
                {
                    connection.closing = true;
                    if (flushOrWait(connection))
                    {
                        close(connection);
                    }
                    return;
                }
            }
            status = processor.process(connection.session);
        }
    }

    /** Marks the connection's reply to be written once, at the end of this duty cycle. */
    private void flushAtEndOfCycle(final TcpConnection connection)
    {
        if (!connection.flushPending)
        {
            connection.flushPending = true;
            toFlush.addInt(connection.slot);
        }
    }

    /** One write per connection per duty cycle, however many replies it gathered (pipelined writes' included). */
    private void flushReplies()
    {
        for (int i = toFlush.size(); i > 0; i--)
        {
            final TcpConnection connection = connections[toFlush.pollInt()];
            if (null == connection || !connection.flushPending)
            {
                continue;
            }
            connection.flushPending = false;
            if (connection.blockedOnWrite)
            {
                continue; // OP_WRITE will carry on
            }
            try
            {
                if (flushOrWait(connection) && !connection.parked && 0 == connection.session.writesInFlight())
                {
                    recordLatency(connection);
                    connection.trimIfIdle(errnoState);
                }
            }
            catch (final IOException ex)
            {
                close(connection);
            }
        }
    }

    /** Reading while free to parse, writing while a reply is stuck, neither while waiting for writers. */
    private static void updateInterest(final TcpConnection connection)
    {
        final int ops = connection.blockedOnWrite ? SelectionKey.OP_WRITE :
            connection.parked || connection.backpressured ? 0 : SelectionKey.OP_READ;
        if (ops != connection.interestOps)
        {
            connection.interestOps = ops;
            connection.key.interestOps(ops);
        }
    }

    /** Once a read's requests are answered and flushed: one latency sample per read, from read to flush. */
    private void recordLatency(final TcpConnection connection)
    {
        if (0 != connection.receivedNs && connection.inputStart != connection.receivedFrom)
        {
            latency.record(connection.wroteThroughWriter, System.nanoTime() - connection.receivedNs);
            connection.receivedNs = 0;
        }
    }

    /** Flushes the reply; if the socket is full, waits for OP_WRITE and returns false. */
    private boolean flushOrWait(final TcpConnection connection) throws IOException
    {
        if (connection.flush())
        {
            return true;
        }
        connection.blockedOnWrite = true;
        updateInterest(connection);
        return false;
    }

    private void close(final TcpConnection connection)
    {
        if (connections[connection.slot] != connection)
        {
            return;
        }
        connections[connection.slot] = null;
        connection.close();
        limit.release();
        stats.connectionClosed(statsSlot);
        final int owed = connection.session.writesInFlight();
        if (owed > 0)
        {
            zombieReplies[connection.slot] = owed; // the writers still answer: the slot's ticket stays taken
        }
        else
        {
            freeSlots.addInt(connection.slot);
        }
    }
}
