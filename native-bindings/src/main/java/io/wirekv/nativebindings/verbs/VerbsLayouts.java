package io.wirekv.nativebindings.verbs;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The {@code <infiniband/verbs.h>} structs wirekv reads or writes (rdma-core 44, x86_64 / aarch64: 8-byte
 * pointers, 4-byte enums), as {@link MemoryLayout}s with their C field names, plus the enum values that go with
 * them. {@code VerbsLayoutTest} compiles a C program over the installed header and checks every size and offset
 * used here, so an rdma-core whose structs moved fails a test instead of posting garbage to a NIC.
 * <p>
 * Only what replication needs is named; the rest of a struct is padding of the right size.
 *
 * <pre>
 * struct ibv_sge, 16 bytes:       | u64 addr (0) | u32 length (8) | u32 lkey (12) |
 *
 * struct ibv_send_wr, 128 bytes:
 *   0                               8                               16
 *   +-------------------------------+-------------------------------+
 *   | u64 wr_id                     | ibv_send_wr *next             |
 *   +-------------------------------+---------------+---------------+
 *   | ibv_sge *sg_list              | int num_sge   | enum opcode   |   16, 24, 28
 *   +---------------+---------------+---------------+---------------+
 *   | send_flags    | imm_data      | wr.rdma.remote_addr (u64)     |   32, 36, 40
 *   +---------------+---------------+---------------+---------------+
 *   | wr.rdma.rkey  | (rest of the wr union: atomic is 32 bytes)    |   48
 *   +---------------+-----------------------------------------------+
 *   | qp_type (xrc.remote_srqn) 72 | pad | bind_mw / tso union 80..127 |
 *
 * struct ibv_wc, 48 bytes:
 *   | u64 wr_id (0) | status (8) | opcode (12) | vendor_err (16) | byte_len (20) | imm_data (24) |
 *   | qp_num (28) | src_qp (32) | wc_flags (36) | u16 pkey_index (40) | u16 slid (42) | u8 sl | u8 dlid_path_bits |
 *
 * struct ibv_mr, 48 bytes:  | context (0) | pd (8) | addr (16) | size_t length (24) | handle (32) | lkey (36) | rkey (40) |
 * struct ibv_qp_cap, 20 bytes: | max_send_wr | max_recv_wr | max_send_sge | max_recv_sge | max_inline_data |
 * struct ibv_qp_init_attr, 64 bytes: | qp_context | send_cq | recv_cq | srq | cap (32) | qp_type (52) | sq_sig_all (56) |
 * struct ibv_qp_attr, 144 bytes: qp_state (0) ... dest_qp_num (28), qp_access_flags (32), cap (36),
 *   ah_attr (56, 32 bytes: grh {dgid[16], flow_label, sgid_index, hop_limit, traffic_class}, dlid (80), sl,
 *   src_path_bits, static_rate, is_global (85), port_num (86)), alt_ah_attr (88), pkey_index (120), ...
 *   max_rd_atomic (126), max_dest_rd_atomic (127), min_rnr_timer (128), port_num (129), timeout (130),
 *   retry_cnt (131), rnr_retry (132), ..., rate_limit (136)
 * struct ibv_port_attr, 52 bytes: state (0), max_mtu (4), active_mtu (8), ..., u16 lid (34), ..., link_layer (46)
 * struct ibv_context: device (0), ops (8: 32 function pointers; poll_cq at 8 + 11*8 = 96, post_send at 8 + 25*8 = 208)
 * struct ibv_qp: context (0), ..., u32 qp_num (52);  struct ibv_cq: context (0)
 * </pre>
 */
public final class VerbsLayouts
{
    /** {@code struct ibv_sge}. */
    public static final GroupLayout IBV_SGE = MemoryLayout.structLayout(
        JAVA_LONG.withName("addr"), JAVA_INT.withName("length"), JAVA_INT.withName("lkey")).withName("ibv_sge");

    private static final GroupLayout WR_RDMA = MemoryLayout.structLayout(
        JAVA_LONG.withName("remote_addr"), JAVA_INT.withName("rkey"), MemoryLayout.paddingLayout(4)).withName("rdma");
    private static final GroupLayout WR_ATOMIC = MemoryLayout.structLayout(
        JAVA_LONG.withName("remote_addr"), JAVA_LONG.withName("compare_add"), JAVA_LONG.withName("swap"),
        JAVA_INT.withName("rkey"), MemoryLayout.paddingLayout(4)).withName("atomic");
    private static final GroupLayout WR_UD = MemoryLayout.structLayout(
        ADDRESS.withName("ah"), JAVA_INT.withName("remote_qpn"), JAVA_INT.withName("remote_qkey")).withName("ud");

    /** {@code struct ibv_send_wr}, with the {@code wr} union's {@code rdma}, {@code atomic} and {@code ud} members. */
    public static final GroupLayout IBV_SEND_WR = MemoryLayout.structLayout(
        JAVA_LONG.withName("wr_id"),
        ADDRESS.withName("next"),
        ADDRESS.withName("sg_list"),
        JAVA_INT.withName("num_sge"),
        JAVA_INT.withName("opcode"),
        JAVA_INT.withName("send_flags"),
        JAVA_INT.withName("imm_data"),
        MemoryLayout.unionLayout(WR_RDMA, WR_ATOMIC, WR_UD).withName("wr"),
        JAVA_INT.withName("qp_type"),
        MemoryLayout.paddingLayout(4),
        // union { bind_mw {mw, rkey, bind_info {mr, addr, length, mw_access_flags}}; tso {hdr, hdr_sz, mss} }
        MemoryLayout.sequenceLayout(6, JAVA_LONG).withName("bind_mw")).withName("ibv_send_wr");

    /** {@code struct ibv_wc}. */
    public static final GroupLayout IBV_WC = MemoryLayout.structLayout(
        JAVA_LONG.withName("wr_id"),
        JAVA_INT.withName("status"),
        JAVA_INT.withName("opcode"),
        JAVA_INT.withName("vendor_err"),
        JAVA_INT.withName("byte_len"),
        JAVA_INT.withName("imm_data"),
        JAVA_INT.withName("qp_num"),
        JAVA_INT.withName("src_qp"),
        JAVA_INT.withName("wc_flags"),
        JAVA_SHORT.withName("pkey_index"),
        JAVA_SHORT.withName("slid"),
        JAVA_BYTE.withName("sl"),
        JAVA_BYTE.withName("dlid_path_bits"),
        MemoryLayout.paddingLayout(2)).withName("ibv_wc");

    /** {@code struct ibv_mr}. */
    public static final GroupLayout IBV_MR = MemoryLayout.structLayout(
        ADDRESS.withName("context"),
        ADDRESS.withName("pd"),
        ADDRESS.withName("addr"),
        JAVA_LONG.withName("length"),
        JAVA_INT.withName("handle"),
        JAVA_INT.withName("lkey"),
        JAVA_INT.withName("rkey"),
        MemoryLayout.paddingLayout(4)).withName("ibv_mr");

    /** {@code struct ibv_qp_cap}. */
    public static final GroupLayout IBV_QP_CAP = MemoryLayout.structLayout(
        JAVA_INT.withName("max_send_wr"),
        JAVA_INT.withName("max_recv_wr"),
        JAVA_INT.withName("max_send_sge"),
        JAVA_INT.withName("max_recv_sge"),
        JAVA_INT.withName("max_inline_data")).withName("cap");

    /** {@code struct ibv_qp_init_attr}. */
    public static final GroupLayout IBV_QP_INIT_ATTR = MemoryLayout.structLayout(
        ADDRESS.withName("qp_context"),
        ADDRESS.withName("send_cq"),
        ADDRESS.withName("recv_cq"),
        ADDRESS.withName("srq"),
        IBV_QP_CAP,
        JAVA_INT.withName("qp_type"),
        JAVA_INT.withName("sq_sig_all"),
        MemoryLayout.paddingLayout(4)).withName("ibv_qp_init_attr");

    /** {@code struct ibv_global_route}. */
    public static final GroupLayout IBV_GLOBAL_ROUTE = MemoryLayout.structLayout(
        MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("dgid"),
        JAVA_INT.withName("flow_label"),
        JAVA_BYTE.withName("sgid_index"),
        JAVA_BYTE.withName("hop_limit"),
        JAVA_BYTE.withName("traffic_class"),
        MemoryLayout.paddingLayout(1)).withName("grh");

    /** {@code struct ibv_ah_attr} (its {@code union ibv_gid} has 8-byte members: the struct is 8-aligned in C). */
    public static final GroupLayout IBV_AH_ATTR = MemoryLayout.structLayout(
        IBV_GLOBAL_ROUTE,
        JAVA_SHORT.withName("dlid"),
        JAVA_BYTE.withName("sl"),
        JAVA_BYTE.withName("src_path_bits"),
        JAVA_BYTE.withName("static_rate"),
        JAVA_BYTE.withName("is_global"),
        JAVA_BYTE.withName("port_num"),
        MemoryLayout.paddingLayout(1)).withName("ah_attr");

    /** {@code struct ibv_qp_attr}. */
    public static final GroupLayout IBV_QP_ATTR = MemoryLayout.structLayout(
        JAVA_INT.withName("qp_state"),
        JAVA_INT.withName("cur_qp_state"),
        JAVA_INT.withName("path_mtu"),
        JAVA_INT.withName("path_mig_state"),
        JAVA_INT.withName("qkey"),
        JAVA_INT.withName("rq_psn"),
        JAVA_INT.withName("sq_psn"),
        JAVA_INT.withName("dest_qp_num"),
        JAVA_INT.withName("qp_access_flags"),
        IBV_QP_CAP,
        IBV_AH_ATTR,
        IBV_AH_ATTR.withName("alt_ah_attr"),
        JAVA_SHORT.withName("pkey_index"),
        JAVA_SHORT.withName("alt_pkey_index"),
        JAVA_BYTE.withName("en_sqd_async_notify"),
        JAVA_BYTE.withName("sq_draining"),
        JAVA_BYTE.withName("max_rd_atomic"),
        JAVA_BYTE.withName("max_dest_rd_atomic"),
        JAVA_BYTE.withName("min_rnr_timer"),
        JAVA_BYTE.withName("port_num"),
        JAVA_BYTE.withName("timeout"),
        JAVA_BYTE.withName("retry_cnt"),
        JAVA_BYTE.withName("rnr_retry"),
        JAVA_BYTE.withName("alt_port_num"),
        JAVA_BYTE.withName("alt_timeout"),
        MemoryLayout.paddingLayout(1),
        JAVA_INT.withName("rate_limit"),
        MemoryLayout.paddingLayout(4)).withName("ibv_qp_attr");

    /** {@code struct ibv_port_attr} (rdma-core 44: ends with {@code port_cap_flags2}). */
    public static final GroupLayout IBV_PORT_ATTR = MemoryLayout.structLayout(
        JAVA_INT.withName("state"),
        JAVA_INT.withName("max_mtu"),
        JAVA_INT.withName("active_mtu"),
        JAVA_INT.withName("gid_tbl_len"),
        JAVA_INT.withName("port_cap_flags"),
        JAVA_INT.withName("max_msg_sz"),
        JAVA_INT.withName("bad_pkey_cntr"),
        JAVA_INT.withName("qkey_viol_cntr"),
        JAVA_SHORT.withName("pkey_tbl_len"),
        JAVA_SHORT.withName("lid"),
        JAVA_SHORT.withName("sm_lid"),
        JAVA_BYTE.withName("lmc"),
        JAVA_BYTE.withName("max_vl_num"),
        JAVA_BYTE.withName("sm_sl"),
        JAVA_BYTE.withName("subnet_timeout"),
        JAVA_BYTE.withName("init_type_reply"),
        JAVA_BYTE.withName("active_width"),
        JAVA_BYTE.withName("active_speed"),
        JAVA_BYTE.withName("phys_state"),
        JAVA_BYTE.withName("link_layer"),
        JAVA_BYTE.withName("flags"),
        JAVA_SHORT.withName("port_cap_flags2"),
        MemoryLayout.paddingLayout(2)).withName("ibv_port_attr");

    /** {@code struct ibv_device_attr}, as far as needed: the limits checked at set-up and {@code phys_port_cnt}. */
    public static final GroupLayout IBV_DEVICE_ATTR = MemoryLayout.structLayout(
        MemoryLayout.sequenceLayout(64, JAVA_BYTE).withName("fw_ver"),
        JAVA_LONG.withName("node_guid"),
        JAVA_LONG.withName("sys_image_guid"),
        JAVA_LONG.withName("max_mr_size"),
        JAVA_LONG.withName("page_size_cap"),
        JAVA_INT.withName("vendor_id"),
        JAVA_INT.withName("vendor_part_id"),
        JAVA_INT.withName("hw_ver"),
        JAVA_INT.withName("max_qp"),
        JAVA_INT.withName("max_qp_wr"),
        JAVA_INT.withName("device_cap_flags"),
        JAVA_INT.withName("max_sge"),
        JAVA_INT.withName("max_sge_rd"),
        JAVA_INT.withName("max_cq"),
        JAVA_INT.withName("max_cqe"),
        // max_mr .. max_srq_sge: 22 ints wirekv does not read
        MemoryLayout.paddingLayout(22 * 4),
        JAVA_SHORT.withName("max_pkeys"),
        JAVA_BYTE.withName("local_ca_ack_delay"),
        JAVA_BYTE.withName("phys_port_cnt"),
        MemoryLayout.paddingLayout(4)).withName("ibv_device_attr");

    /** Names of {@code struct ibv_context_ops}' 32 function pointers, in their order (rdma-core 44). */
    static final String[] CONTEXT_OPS = {
        "_compat_query_device", "_compat_query_port", "_compat_alloc_pd", "_compat_dealloc_pd", "_compat_reg_mr",
        "_compat_rereg_mr", "_compat_dereg_mr", "alloc_mw", "bind_mw", "dealloc_mw", "_compat_create_cq", "poll_cq",
        "req_notify_cq", "_compat_cq_event", "_compat_resize_cq", "_compat_destroy_cq", "_compat_create_srq",
        "_compat_modify_srq", "_compat_query_srq", "_compat_destroy_srq", "post_srq_recv", "_compat_create_qp",
        "_compat_query_qp", "_compat_modify_qp", "_compat_destroy_qp", "post_send", "post_recv", "_compat_create_ah",
        "_compat_destroy_ah", "_compat_attach_mcast", "_compat_detach_mcast", "_compat_async_event"};

    /** {@code struct ibv_context} up to {@code num_comp_vectors} (the mutex and {@code abi_compat} follow). */
    public static final GroupLayout IBV_CONTEXT_HEAD = MemoryLayout.structLayout(
        ADDRESS.withName("device"),
        MemoryLayout.structLayout(java.util.Arrays.stream(CONTEXT_OPS).map(ADDRESS::withName)
            .toArray(MemoryLayout[]::new)).withName("ops"),
        JAVA_INT.withName("cmd_fd"),
        JAVA_INT.withName("async_fd"),
        JAVA_INT.withName("num_comp_vectors")).withName("ibv_context");

    /** {@code struct ibv_qp} up to {@code qp_num}. */
    public static final GroupLayout IBV_QP_HEAD = MemoryLayout.structLayout(
        ADDRESS.withName("context"),
        ADDRESS.withName("qp_context"),
        ADDRESS.withName("pd"),
        ADDRESS.withName("send_cq"),
        ADDRESS.withName("recv_cq"),
        ADDRESS.withName("srq"),
        JAVA_INT.withName("handle"),
        JAVA_INT.withName("qp_num"),
        JAVA_INT.withName("state"),
        JAVA_INT.withName("qp_type")).withName("ibv_qp");

    /** Size of {@code union ibv_gid}. */
    public static final int GID_SIZE = 16;

    // Offsets used by the encoders and wrappers, all derived from the layouts above (and checked by the test).
    public static final long SGE_ADDR = off(IBV_SGE, "addr");
    public static final long SGE_LENGTH = off(IBV_SGE, "length");
    public static final long SGE_LKEY = off(IBV_SGE, "lkey");
    public static final long SEND_WR_WR_ID = off(IBV_SEND_WR, "wr_id");
    public static final long SEND_WR_NEXT = off(IBV_SEND_WR, "next");
    public static final long SEND_WR_SG_LIST = off(IBV_SEND_WR, "sg_list");
    public static final long SEND_WR_NUM_SGE = off(IBV_SEND_WR, "num_sge");
    public static final long SEND_WR_OPCODE = off(IBV_SEND_WR, "opcode");
    public static final long SEND_WR_SEND_FLAGS = off(IBV_SEND_WR, "send_flags");
    public static final long SEND_WR_IMM_DATA = off(IBV_SEND_WR, "imm_data");
    public static final long SEND_WR_RDMA_REMOTE_ADDR = off(IBV_SEND_WR, "wr", "rdma", "remote_addr");
    public static final long SEND_WR_RDMA_RKEY = off(IBV_SEND_WR, "wr", "rdma", "rkey");
    public static final long WC_WR_ID = off(IBV_WC, "wr_id");
    public static final long WC_STATUS = off(IBV_WC, "status");
    public static final long WC_OPCODE = off(IBV_WC, "opcode");
    public static final long WC_VENDOR_ERR = off(IBV_WC, "vendor_err");
    public static final long WC_BYTE_LEN = off(IBV_WC, "byte_len");
    public static final long MR_ADDR = off(IBV_MR, "addr");
    public static final long MR_LENGTH = off(IBV_MR, "length");
    public static final long MR_LKEY = off(IBV_MR, "lkey");
    public static final long MR_RKEY = off(IBV_MR, "rkey");
    public static final long CONTEXT_OPS_POLL_CQ = off(IBV_CONTEXT_HEAD, "ops", "poll_cq");
    public static final long CONTEXT_OPS_POST_SEND = off(IBV_CONTEXT_HEAD, "ops", "post_send");
    public static final long QP_CONTEXT = off(IBV_QP_HEAD, "context");
    public static final long QP_QP_NUM = off(IBV_QP_HEAD, "qp_num");
    /** {@code struct ibv_cq}'s first member is its {@code struct ibv_context *context}. */
    public static final long CQ_CONTEXT = 0;

    /** {@code IBV_WR_RDMA_WRITE}. */
    public static final int IBV_WR_RDMA_WRITE = 0;
    /** {@code IBV_SEND_SIGNALED}: this WR produces a completion. */
    public static final int IBV_SEND_SIGNALED = 1 << 1;
    /** {@code IBV_SEND_INLINE}: the payload is copied at post time (the doorbell's 8 bytes). */
    public static final int IBV_SEND_INLINE = 1 << 3;
    /** {@code IBV_WC_SUCCESS}. */
    public static final int IBV_WC_SUCCESS = 0;
    /** {@code IBV_WC_REM_ACCESS_ERR}: the peer refused the access (rkey, bounds or permission). */
    public static final int IBV_WC_REM_ACCESS_ERR = 10;
    /** {@code IBV_WC_RETRY_EXC_ERR}: the peer stopped answering (transport retries exhausted). */
    public static final int IBV_WC_RETRY_EXC_ERR = 12;
    /** {@code IBV_QPT_RC}: reliable connection. */
    public static final int IBV_QPT_RC = 2;
    public static final int IBV_QPS_RESET = 0;
    public static final int IBV_QPS_INIT = 1;
    public static final int IBV_QPS_RTR = 2;
    public static final int IBV_QPS_RTS = 3;
    public static final int IBV_MTU_1024 = 3;
    public static final int IBV_PORT_DOWN = 1;
    public static final int IBV_PORT_ACTIVE = 4;
    public static final int IBV_LINK_LAYER_ETHERNET = 2;
    public static final int IBV_ACCESS_LOCAL_WRITE = 1;
    public static final int IBV_ACCESS_REMOTE_WRITE = 1 << 1;
    public static final int IBV_QP_STATE = 1;
    public static final int IBV_QP_ACCESS_FLAGS = 1 << 3;
    public static final int IBV_QP_PKEY_INDEX = 1 << 4;
    public static final int IBV_QP_PORT = 1 << 5;
    public static final int IBV_QP_AV = 1 << 7;
    public static final int IBV_QP_PATH_MTU = 1 << 8;
    public static final int IBV_QP_TIMEOUT = 1 << 9;
    public static final int IBV_QP_RETRY_CNT = 1 << 10;
    public static final int IBV_QP_RNR_RETRY = 1 << 11;
    public static final int IBV_QP_RQ_PSN = 1 << 12;
    public static final int IBV_QP_MAX_QP_RD_ATOMIC = 1 << 13;
    public static final int IBV_QP_MIN_RNR_TIMER = 1 << 15;
    public static final int IBV_QP_SQ_PSN = 1 << 16;
    public static final int IBV_QP_MAX_DEST_RD_ATOMIC = 1 << 17;
    public static final int IBV_QP_DEST_QPN = 1 << 20;

    private VerbsLayouts()
    {
    }

    /**
     * @return the byte offset of the field at {@code path} (group element names) in {@code layout}.
     */
    public static long off(final MemoryLayout layout, final String... path)
    {
        final PathElement[] elements = new PathElement[path.length];
        for (int i = 0; i < path.length; i++)
        {
            elements[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(elements);
    }

    /**
     * @param state an {@code enum ibv_port_state} value.
     * @return its name without the prefix, e.g. {@code "ACTIVE"}.
     */
    public static String portStateName(final int state)
    {
        return switch (state)
        {
            case 0 -> "NOP";
            case IBV_PORT_DOWN -> "DOWN";
            case 2 -> "INIT";
            case 3 -> "ARMED";
            case IBV_PORT_ACTIVE -> "ACTIVE";
            case 5 -> "ACTIVE_DEFER";
            default -> "state " + state;
        };
    }

    /**
     * @param status an {@code enum ibv_wc_status} value.
     * @return its name without the prefix, e.g. {@code "REM_ACCESS_ERR"} (as {@code ibv_wc_status_str} would say).
     */
    public static String wcStatusName(final int status)
    {
        final String[] names = {"SUCCESS", "LOC_LEN_ERR", "LOC_QP_OP_ERR", "LOC_EEC_OP_ERR", "LOC_PROT_ERR",
            "WR_FLUSH_ERR", "MW_BIND_ERR", "BAD_RESP_ERR", "LOC_ACCESS_ERR", "REM_INV_REQ_ERR", "REM_ACCESS_ERR",
            "REM_OP_ERR", "RETRY_EXC_ERR", "RNR_RETRY_EXC_ERR", "LOC_RDD_VIOL_ERR", "REM_INV_RD_REQ_ERR",
            "REM_ABORT_ERR", "INV_EECN_ERR", "INV_EEC_STATE_ERR", "FATAL_ERR", "RESP_TIMEOUT_ERR", "GENERAL_ERR"};
        return status >= 0 && status < names.length ? names[status] : "status " + status;
    }
}
