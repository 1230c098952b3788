package io.wirekv.dataplane.proto;

/** memcached's fixed reply lines, as bytes. */
final class Replies
{
    static final byte[] ERROR = b("ERROR\r\n");
    static final byte[] STORED = b("STORED\r\n");
    static final byte[] NOT_STORED = b("NOT_STORED\r\n");
    static final byte[] EXISTS = b("EXISTS\r\n");
    static final byte[] NOT_FOUND = b("NOT_FOUND\r\n");
    static final byte[] DELETED = b("DELETED\r\n");
    static final byte[] TOUCHED = b("TOUCHED\r\n");
    static final byte[] OK = b("OK\r\n");
    static final byte[] END = b("END\r\n");
    static final byte[] RESET = b("RESET\r\n");
    static final byte[] CRLF = b("\r\n");
    static final byte[] VALUE = b("VALUE ");
    static final byte[] VERSION = b("VERSION ");
    static final byte[] BAD_FORMAT = b("CLIENT_ERROR bad command line format\r\n");
    static final byte[] BAD_DATA_CHUNK = b("CLIENT_ERROR bad data chunk\r\n");
    static final byte[] BAD_DELETE = b("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n");
    static final byte[] INVALID_EXPTIME = b("CLIENT_ERROR invalid exptime argument\r\n");
    static final byte[] INVALID_DELTA = b("CLIENT_ERROR invalid numeric delta argument\r\n");
    static final byte[] NON_NUMERIC = b("CLIENT_ERROR cannot increment or decrement non-numeric value\r\n");
    static final byte[] TOO_LARGE = b("SERVER_ERROR object too large for cache\r\n");
    static final byte[] OUT_OF_DISK = b("SERVER_ERROR out of disk space\r\n");
    static final byte[] LOG_FAILED = b("SERVER_ERROR log write failed\r\n");
    static final byte[] REPLICA_READ_ONLY =
        b("SERVER_ERROR replication: this node is a backup (read-only); write to the primary\r\n");
    static final byte[] FENCED =
        b("SERVER_ERROR replication: fenced, the peer is primary at a newer epoch (see wirekv status); run wirekv demote\r\n");
    static final byte[] NO_BACKUP = b("SERVER_ERROR replication: no backup connected (replication.mode=sync)\r\n");
    static final byte[] SYNC_TIMEOUT = b("SERVER_ERROR replication: the backup did not acknowledge within " +
        "replication.sync.timeout (replication.mode=sync; see wirekv errors)\r\n");

    /** The SERVER_ERROR line of a write the writer refused before the table (log, replication), or null. */
    static byte[] refusal(final byte status)
    {
        return switch (status)
        {
            case io.wirekv.dataplane.record.WriteReplyDescriptor.STATUS_OUT_OF_DISK -> OUT_OF_DISK;
            case io.wirekv.dataplane.record.WriteReplyDescriptor.STATUS_LOG_FAILED -> LOG_FAILED;
            case io.wirekv.dataplane.record.WriteReplyDescriptor.STATUS_REPLICA_READ_ONLY -> REPLICA_READ_ONLY;
            case io.wirekv.dataplane.record.WriteReplyDescriptor.STATUS_FENCED -> FENCED;
            case io.wirekv.dataplane.record.WriteReplyDescriptor.STATUS_NO_BACKUP -> NO_BACKUP;
            case io.wirekv.dataplane.record.WriteReplyDescriptor.STATUS_SYNC_TIMEOUT -> SYNC_TIMEOUT;
            default -> null;
        };
    }
    static final byte[] OUT_OF_MEMORY_STORING = b("SERVER_ERROR out of memory storing object\r\n");
    static final byte[] OUT_OF_MEMORY_GET = b("SERVER_ERROR out of memory writing get response\r\n");
    static final byte[] SHUTDOWN_DISABLED = b("ERROR: shutdown not enabled\r\n");
    static final byte[] INVALID_SHUTDOWN_MODE = b("CLIENT_ERROR invalid shutdown mode\r\n");
    static final byte[] OPAQUE_TOO_LONG = b("CLIENT_ERROR opaque token too long\r\n");
    /** mg's reply when a meta line has more than {@link RequestProcessor#META_MAX_TOKENS} tokens. */
    static final byte[] MG_FLAGS_TOO_LONG = b("CLIENT_ERROR options flags are too long\r\n");
    /** ms/md/ma's reply for the same condition (memcached words it differently there). */
    static final byte[] FLAGS_TOO_LONG = b("CLIENT_ERROR options flags too long\r\n");
    static final byte[] INVALID_OR_DUPLICATE_FLAG = b("CLIENT_ERROR invalid or duplicate flag\r\n");
    static final byte[] INVALID_MS_MODE = b("CLIENT_ERROR invalid mode for ms M token\r\n");
    static final byte[] INVALID_MA_MODE = b("CLIENT_ERROR invalid mode for ma M token\r\n");
    static final byte[] MN = b("MN\r\n");
    static final byte[] EN = b("EN");
    static final byte[] HD = b("HD");
    static final byte[] NS = b("NS");
    static final byte[] EX = b("EX");
    static final byte[] NF = b("NF");
    static final byte[] VA = b("VA ");
    static final byte[] ME = b("ME ");

    static final byte[] CMD_GET = b("get");
    static final byte[] CMD_GETS = b("gets");
    static final byte[] CMD_GAT = b("gat");
    static final byte[] CMD_GATS = b("gats");
    static final byte[] CMD_SET = b("set");
    static final byte[] CMD_ADD = b("add");
    static final byte[] CMD_REPLACE = b("replace");
    static final byte[] CMD_APPEND = b("append");
    static final byte[] CMD_PREPEND = b("prepend");
    static final byte[] CMD_CAS = b("cas");
    static final byte[] CMD_DELETE = b("delete");
    static final byte[] CMD_INCR = b("incr");
    static final byte[] CMD_DECR = b("decr");
    static final byte[] CMD_TOUCH = b("touch");
    static final byte[] CMD_STATS = b("stats");
    static final byte[] CMD_FLUSH_ALL = b("flush_all");
    static final byte[] CMD_VERSION = b("version");
    static final byte[] CMD_QUIT = b("quit");
    static final byte[] CMD_VERBOSITY = b("verbosity");
    static final byte[] CMD_SHUTDOWN = b("shutdown");
    static final byte[] CMD_MG = b("mg");
    static final byte[] CMD_MS = b("ms");
    static final byte[] CMD_MD = b("md");
    static final byte[] CMD_MA = b("ma");
    static final byte[] CMD_MN = b("mn");
    static final byte[] CMD_ME = b("me");
    static final byte[] ZERO = b("0");
    static final byte[] RESET_ARG = b("reset");
    static final byte[] SETTINGS_ARG = b("settings");
    static final byte[] SLABS_ARG = b("slabs");
    static final byte[] ITEMS_ARG = b("items");
    static final byte[] CONNS_ARG = b("conns");
    static final byte[] GRACEFUL_ARG = b("graceful");

    private Replies()
    {
    }

    static byte[] b(final String s)
    {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
