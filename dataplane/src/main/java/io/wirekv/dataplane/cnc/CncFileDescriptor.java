package io.wirekv.dataplane.cnc;

import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.broadcast.BroadcastBufferDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the command-and-control (CnC) file an appliance maps at
 * {@code <dir>/wirekv-<instance>/cnc.dat} ({@code dir} is /dev/shm unless the system property
 * {@value #DIR_PROPERTY} says otherwise). Modelled on Aeron's CnC file: a fixed header, then sections
 * whose lengths the header records, so a reader needs nothing but the file.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic 'WKVC' (int)                        |  0
 *  +---------------------------------------------------------------+
 *  |          Layout version (int; written last, release)          |  4
 *  +---------------------------------------------------------------+
 *  |                          PID (long)                           |  8
 *  +---------------------------------------------------------------+
 *  |                  Start time, epoch ms (long)                  | 16
 *  +---------------------------------------------------------------+
 *  |                 Counter metadata length (int)                 | 24
 *  |                 Counter values length (int)                   | 28
 *  |                 Error log length (int)                        | 32
 *  |          Command ring length, trailer included (int)          | 36
 *  |        Response buffer length, trailer included (int)         | 40
 *  |            Config text length, bytes used (int)               | 44
 *  |            Status text length, bytes used (int)               | 48
 *  |            Instance name length, bytes used (int)             | 52
 *  |                        pad to 64                              |
 *  +---------------------------------------------------------------+
 *  |   Heartbeat, epoch ms (long; its own cache line, release)     | 64
 *  |                        pad to 128                             |
 *  +---------------------------------------------------------------+
 *  |               Instance name (64 bytes, US-ASCII)              | 128
 *  +---------------------------------------------------------------+
 *  |             Config text (16 KiB, UTF-8, key = value)          | 192
 *  +---------------------------------------------------------------+
 *  |   Status text (8 KiB, UTF-8: ports, lcores, cpus, memory)     | 16576
 *  +----------------------- page aligned --------------------------+
 *  |   Counter metadata   (CounterRegistryDescriptor records)      |
 *  +---------------------------------------------------------------+
 *  |   Counter values     (CounterRegistryDescriptor blocks; the   |
 *  |   dataplane's threads write them here directly)               |
 *  +---------------------------------------------------------------+
 *  |   Error log          (Agrona DistinctErrorLog)                |
 *  +---------------------------------------------------------------+
 *  |   Command ring       (Agrona ManyToOneRingBuffer: CLI -> app) |
 *  +---------------------------------------------------------------+
 *  |   Responses          (Agrona broadcast buffer: app -> CLI)    |
 *  +---------------------------------------------------------------+
 * </pre>
 * Every section starts on a page boundary. The version is stored last, with release semantics, once
 * every other field and section is initialised; a reader that sees 0 knows the appliance is still
 * starting and one that sees another value than {@link #LAYOUT_VERSION} refuses to interpret the rest.
 * The two counter sections are a {@link CounterRegistry} (layout in {@link CounterRegistryDescriptor}):
 * the running server's counters are these bytes, written by the threads that count, so nothing copies them.
 */
public final class CncFileDescriptor
{
    /** System property naming the directory that holds the per-instance directories (default /dev/shm). */
    public static final String DIR_PROPERTY = "wirekv.cnc.dir";
    public static final String DEFAULT_DIR = "/dev/shm";
    public static final String FILE_NAME = "cnc.dat";
    public static final String INSTANCE_DIR_PREFIX = "wirekv-";

    /** 'WKVC' read as a little-endian int. */
    public static final int MAGIC = 'W' | 'K' << 8 | 'V' << 16 | 'C' << 24;
    /**
     * Bump on any change of this layout; readers refuse other versions. 2: the counter sections hold a
     * {@link CounterRegistry} (per-thread slots summed by readers) instead of Agrona's CountersManager.
     */
    public static final int LAYOUT_VERSION = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = MAGIC_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int PID_OFFSET = VERSION_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int START_TIME_OFFSET = PID_OFFSET + BitUtil.SIZE_OF_LONG;
    public static final int COUNTER_METADATA_LENGTH_OFFSET = START_TIME_OFFSET + BitUtil.SIZE_OF_LONG;
    public static final int COUNTER_VALUES_LENGTH_OFFSET = COUNTER_METADATA_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int ERROR_LOG_LENGTH_OFFSET = COUNTER_VALUES_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int COMMAND_RING_LENGTH_OFFSET = ERROR_LOG_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int RESPONSE_BUFFER_LENGTH_OFFSET = COMMAND_RING_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int CONFIG_TEXT_LENGTH_OFFSET = RESPONSE_BUFFER_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int STATUS_TEXT_LENGTH_OFFSET = CONFIG_TEXT_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int INSTANCE_NAME_LENGTH_OFFSET = STATUS_TEXT_LENGTH_OFFSET + BitUtil.SIZE_OF_INT;
    public static final int HEARTBEAT_OFFSET = BitUtil.CACHE_LINE_LENGTH;
    public static final int INSTANCE_NAME_OFFSET = HEARTBEAT_OFFSET + BitUtil.CACHE_LINE_LENGTH;
    public static final int INSTANCE_NAME_CAPACITY = 64;
    public static final int CONFIG_TEXT_OFFSET = INSTANCE_NAME_OFFSET + INSTANCE_NAME_CAPACITY;
    public static final int CONFIG_TEXT_CAPACITY = 16 * 1024;
    public static final int STATUS_TEXT_OFFSET = CONFIG_TEXT_OFFSET + CONFIG_TEXT_CAPACITY;
    public static final int STATUS_TEXT_CAPACITY = 8 * 1024;
    /** The header (fixed fields and both texts), rounded up to a page. */
    public static final int HEADER_LENGTH = BitUtil.align(STATUS_TEXT_OFFSET + STATUS_TEXT_CAPACITY, 4096);

    /** Default section sizes. */
    public static final int ERROR_LOG_LENGTH = 1024 * 1024;
    public static final int COMMAND_RING_CAPACITY = 1024 * 1024;
    public static final int RESPONSE_BUFFER_CAPACITY = 1024 * 1024;
    /** Largest admin message body: values above this go through the memcached protocol instead. */
    public static final int MAX_ADMIN_MESSAGE_BYTES = RESPONSE_BUFFER_CAPACITY / 8 - 64;

    private CncFileDescriptor()
    {
    }

    /** Section lengths of one file; offsets follow from them. */
    public record Sections(
        int counterMetadataLength, int counterValuesLength, int errorLogLength, int commandRingLength,
        int responseBufferLength)
    {
        /**
         * Sections for a counter registry of {@code counters} counters and {@code valuesBytes} bytes of value
         * blocks, and the default ring, broadcast and error log sizes.
         */
        public static Sections forCounters(final int counters, final int valuesBytes)
        {
            return new Sections(
                page(CounterRegistryDescriptor.metadataLength(counters)), page(Math.max(1, valuesBytes)), ERROR_LOG_LENGTH,
                COMMAND_RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH,
                RESPONSE_BUFFER_CAPACITY + BroadcastBufferDescriptor.TRAILER_LENGTH);
        }

        /** Reads the lengths recorded in a file's header. */
        public static Sections of(final UnsafeBuffer header)
        {
            return new Sections(
                header.getInt(COUNTER_METADATA_LENGTH_OFFSET), header.getInt(COUNTER_VALUES_LENGTH_OFFSET),
                header.getInt(ERROR_LOG_LENGTH_OFFSET), header.getInt(COMMAND_RING_LENGTH_OFFSET),
                header.getInt(RESPONSE_BUFFER_LENGTH_OFFSET));
        }

        public int counterMetadataOffset()
        {
            return HEADER_LENGTH;
        }

        public int counterValuesOffset()
        {
            return counterMetadataOffset() + page(counterMetadataLength);
        }

        public int errorLogOffset()
        {
            return counterValuesOffset() + page(counterValuesLength);
        }

        public int commandRingOffset()
        {
            return errorLogOffset() + page(errorLogLength);
        }

        public int responseBufferOffset()
        {
            return commandRingOffset() + page(commandRingLength);
        }

        /** The whole file. */
        public int fileLength()
        {
            return responseBufferOffset() + page(responseBufferLength);
        }

        private static int page(final int length)
        {
            return BitUtil.align(length, 4096);
        }

        /** Writes the lengths into a header. */
        public void writeTo(final UnsafeBuffer header)
        {
            header.putInt(COUNTER_METADATA_LENGTH_OFFSET, counterMetadataLength);
            header.putInt(COUNTER_VALUES_LENGTH_OFFSET, counterValuesLength);
            header.putInt(ERROR_LOG_LENGTH_OFFSET, errorLogLength);
            header.putInt(COMMAND_RING_LENGTH_OFFSET, commandRingLength);
            header.putInt(RESPONSE_BUFFER_LENGTH_OFFSET, responseBufferLength);
        }
    }

    /** Views of the file's sections, sharing the mapped memory. */
    public record Buffers(
        UnsafeBuffer header, UnsafeBuffer counterMetadata, UnsafeBuffer counterValues, UnsafeBuffer errorLog,
        UnsafeBuffer commandRing, UnsafeBuffer responses)
    {
        /** Wraps the sections of a mapped file whose header lengths are already written. */
        public static Buffers wrap(final UnsafeBuffer file)
        {
            final Sections s = Sections.of(file);
            if (s.fileLength() > file.capacity())
            {
                throw new IllegalStateException("CnC file is shorter (" + file.capacity() +
                    " bytes) than its header says (" + s.fileLength() + ")");
            }
            return new Buffers(
                new UnsafeBuffer(file, 0, HEADER_LENGTH),
                new UnsafeBuffer(file, s.counterMetadataOffset(), s.counterMetadataLength()),
                new UnsafeBuffer(file, s.counterValuesOffset(), s.counterValuesLength()),
                new UnsafeBuffer(file, s.errorLogOffset(), s.errorLogLength()),
                new UnsafeBuffer(file, s.commandRingOffset(), s.commandRingLength()),
                new UnsafeBuffer(file, s.responseBufferOffset(), s.responseBufferLength()));
        }
    }

    /** The directory holding every instance's directory: {@value #DIR_PROPERTY} or /dev/shm. */
    public static java.nio.file.Path baseDirectory()
    {
        return java.nio.file.Path.of(System.getProperty(DIR_PROPERTY, DEFAULT_DIR));
    }

    /** {@code <base>/wirekv-<instance>/cnc.dat}. */
    public static java.nio.file.Path cncFile(final java.nio.file.Path base, final String instance)
    {
        return base.resolve(INSTANCE_DIR_PREFIX + instance).resolve(FILE_NAME);
    }

    /** A text field of the header (instance name, config or status text). */
    public static String text(final UnsafeBuffer header, final int lengthOffset, final int textOffset, final int capacity)
    {
        final int length = Math.min(Math.max(0, header.getInt(lengthOffset)), capacity);
        final byte[] bytes = new byte[length];
        header.getBytes(textOffset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Writes a text field, cut to its capacity (on a character boundary is not guaranteed; ASCII is expected). */
    static void putText(
        final UnsafeBuffer header, final int lengthOffset, final int textOffset, final int capacity, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        final int length = Math.min(bytes.length, capacity);
        header.putBytes(textOffset, bytes, 0, length);
        header.putInt(lengthOffset, length);
    }
}
