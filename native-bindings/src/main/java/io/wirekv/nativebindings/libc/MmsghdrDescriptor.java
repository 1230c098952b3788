package io.wirekv.nativebindings.libc;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct iovec}, {@code struct msghdr} and {@code struct mmsghdr} on 64-bit Linux (LP64),
 * the arrays {@code recvmmsg}/{@code sendmmsg} take.
 * <pre>
 * struct iovec (16 bytes)
 *   0               8              16
 *   +---------------+---------------+
 *   |   iov_base    |    iov_len    |
 *   |    (void*)    |   (size_t)    |
 *   +---------------+---------------+
 *
 * struct mmsghdr (64 bytes) = struct msghdr (56 bytes) + msg_len
 *   0               8       12      16              24              32
 *   +---------------+-------+-------+---------------+---------------+
 *   |   msg_name    |namelen| (pad) |    msg_iov    |  msg_iovlen   |
 *   |    (void*)    | (u32) |       |(struct iovec*)|   (size_t)    |
 *   +---------------+-------+-------+---------------+---------------+
 *   32              40              48      52      56      60      64
 *   +---------------+---------------+-------+-------+-------+-------+
 *   | msg_control   | msg_controllen|msg_flg| (pad) |msg_len| (pad) |
 *   |    (void*)    |   (size_t)    | (int) |       | (u32) |       |
 *   +---------------+---------------+-------+-------+-------+-------+
 * </pre>
 * Offsets are checked against the C headers (compiled with the system C compiler) by
 * {@code SocketLayoutTest}.
 */
public final class MmsghdrDescriptor
{
    public static final int IOV_BASE_OFFSET = 0;
    public static final int IOV_LEN_OFFSET = IOV_BASE_OFFSET + 8;
    /** {@code sizeof(struct iovec)}. */
    public static final int IOVEC_SIZE = IOV_LEN_OFFSET + 8;

    public static final int MSG_NAME_OFFSET = 0;
    public static final int MSG_NAMELEN_OFFSET = MSG_NAME_OFFSET + 8;
    public static final int MSG_IOV_OFFSET = MSG_NAMELEN_OFFSET + 8;
    public static final int MSG_IOVLEN_OFFSET = MSG_IOV_OFFSET + 8;
    public static final int MSG_CONTROL_OFFSET = MSG_IOVLEN_OFFSET + 8;
    public static final int MSG_CONTROLLEN_OFFSET = MSG_CONTROL_OFFSET + 8;
    public static final int MSG_FLAGS_OFFSET = MSG_CONTROLLEN_OFFSET + 8;
    /** {@code sizeof(struct msghdr)}. */
    public static final int MSGHDR_SIZE = MSG_FLAGS_OFFSET + 8;
    /** {@code offsetof(struct mmsghdr, msg_len)}. */
    public static final int MSG_LEN_OFFSET = MSGHDR_SIZE;
    /** {@code sizeof(struct mmsghdr)}. */
    public static final int MMSGHDR_SIZE = MSG_LEN_OFFSET + 8;

    /** {@code struct iovec}. */
    public static final StructLayout IOVEC_LAYOUT = MemoryLayout.structLayout(
        ValueLayout.ADDRESS.withName("iov_base"),
        ValueLayout.JAVA_LONG.withName("iov_len"));

    /** {@code struct msghdr}. */
    public static final StructLayout MSGHDR_LAYOUT = MemoryLayout.structLayout(
        ValueLayout.ADDRESS.withName("msg_name"),
        ValueLayout.JAVA_INT.withName("msg_namelen"),
        MemoryLayout.paddingLayout(4),
        ValueLayout.ADDRESS.withName("msg_iov"),
        ValueLayout.JAVA_LONG.withName("msg_iovlen"),
        ValueLayout.ADDRESS.withName("msg_control"),
        ValueLayout.JAVA_LONG.withName("msg_controllen"),
        ValueLayout.JAVA_INT.withName("msg_flags"),
        MemoryLayout.paddingLayout(4));

    /** {@code struct mmsghdr}. */
    public static final StructLayout MMSGHDR_LAYOUT = MemoryLayout.structLayout(
        MSGHDR_LAYOUT.withName("msg_hdr"),
        ValueLayout.JAVA_INT.withName("msg_len"),
        MemoryLayout.paddingLayout(4));

    private MmsghdrDescriptor()
    {
    }
}
