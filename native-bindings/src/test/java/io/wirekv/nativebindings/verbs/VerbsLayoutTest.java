package io.wirekv.nativebindings.verbs;

import io.wirekv.nativebindings.CLayoutProbe;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link VerbsLayouts} against the installed {@code <infiniband/verbs.h>}, compiled with the system C compiler: every
 * size, every named field's offset, and the enum values wirekv writes. deploy/install-deps.sh installs the compiler
 * and libibverbs-dev, so in CI this runs; it skips (with the reason) only where either is missing.
 */
class VerbsLayoutTest
{
    private static final Path HEADER = Path.of("/usr/include/infiniband/verbs.h");

    /** C expression -> the Java value it must equal, in order. */
    private final Map<String, Long> expected = new LinkedHashMap<>();

    @Test
    void shouldMatchEverySizeOffsetAndConstantOfTheInstalledVerbsHeader(@TempDir final Path dir)
        throws IOException, InterruptedException
    {
        final String cc = CLayoutProbe.compiler();
        Assumptions.assumeTrue(cc != null, "skipped: no C compiler (gcc/cc/clang) to read verbs.h with");
        Assumptions.assumeTrue(Files.isRegularFile(HEADER),
            "skipped: " + HEADER + " missing (install Debian package libibverbs-dev)");

        struct("struct ibv_sge", VerbsLayouts.IBV_SGE);
        struct("struct ibv_send_wr", VerbsLayouts.IBV_SEND_WR);
        field("struct ibv_send_wr", "wr.rdma.remote_addr", VerbsLayouts.SEND_WR_RDMA_REMOTE_ADDR);
        field("struct ibv_send_wr", "wr.rdma.rkey", VerbsLayouts.SEND_WR_RDMA_RKEY);
        field("struct ibv_send_wr", "wr.atomic.rkey", VerbsLayouts.off(VerbsLayouts.IBV_SEND_WR, "wr", "atomic", "rkey"));
        field("struct ibv_send_wr", "wr.ud.remote_qkey", VerbsLayouts.off(VerbsLayouts.IBV_SEND_WR, "wr", "ud", "remote_qkey"));
        field("struct ibv_send_wr", "qp_type.xrc.remote_srqn", VerbsLayouts.off(VerbsLayouts.IBV_SEND_WR, "qp_type"));
        field("struct ibv_send_wr", "bind_mw", VerbsLayouts.off(VerbsLayouts.IBV_SEND_WR, "bind_mw"));
        struct("struct ibv_wc", VerbsLayouts.IBV_WC);
        struct("struct ibv_mr", VerbsLayouts.IBV_MR);
        struct("struct ibv_qp_cap", VerbsLayouts.IBV_QP_CAP);
        struct("struct ibv_qp_init_attr", VerbsLayouts.IBV_QP_INIT_ATTR);
        field("struct ibv_qp_init_attr", "cap.max_inline_data",
            VerbsLayouts.off(VerbsLayouts.IBV_QP_INIT_ATTR, "cap", "max_inline_data"));
        struct("struct ibv_global_route", VerbsLayouts.IBV_GLOBAL_ROUTE);
        struct("struct ibv_ah_attr", VerbsLayouts.IBV_AH_ATTR);
        struct("struct ibv_qp_attr", VerbsLayouts.IBV_QP_ATTR);
        field("struct ibv_qp_attr", "ah_attr.grh.dgid", VerbsLayouts.off(VerbsLayouts.IBV_QP_ATTR, "ah_attr", "grh", "dgid"));
        field("struct ibv_qp_attr", "ah_attr.grh.sgid_index",
            VerbsLayouts.off(VerbsLayouts.IBV_QP_ATTR, "ah_attr", "grh", "sgid_index"));
        field("struct ibv_qp_attr", "ah_attr.dlid", VerbsLayouts.off(VerbsLayouts.IBV_QP_ATTR, "ah_attr", "dlid"));
        field("struct ibv_qp_attr", "ah_attr.is_global", VerbsLayouts.off(VerbsLayouts.IBV_QP_ATTR, "ah_attr", "is_global"));
        field("struct ibv_qp_attr", "ah_attr.port_num", VerbsLayouts.off(VerbsLayouts.IBV_QP_ATTR, "ah_attr", "port_num"));
        struct("struct ibv_port_attr", VerbsLayouts.IBV_PORT_ATTR);
        struct("struct ibv_device_attr", VerbsLayouts.IBV_DEVICE_ATTR);
        fields("struct ibv_context", VerbsLayouts.IBV_CONTEXT_HEAD, "");
        fields("struct ibv_qp", VerbsLayouts.IBV_QP_HEAD, "");
        field("struct ibv_cq", "context", VerbsLayouts.CQ_CONTEXT);
        expected.put("sizeof(union ibv_gid)", (long)VerbsLayouts.GID_SIZE);
        expected.put("sizeof(struct ibv_context_ops)", VerbsLayouts.off(VerbsLayouts.IBV_CONTEXT_HEAD, "cmd_fd") -
            VerbsLayouts.off(VerbsLayouts.IBV_CONTEXT_HEAD, "ops"));
        expected.put("offsetof(struct ibv_context, ops.poll_cq)", VerbsLayouts.CONTEXT_OPS_POLL_CQ);
        expected.put("offsetof(struct ibv_context, ops.post_send)", VerbsLayouts.CONTEXT_OPS_POST_SEND);
        constant("IBV_WR_RDMA_WRITE", VerbsLayouts.IBV_WR_RDMA_WRITE);
        constant("IBV_SEND_SIGNALED", VerbsLayouts.IBV_SEND_SIGNALED);
        constant("IBV_SEND_INLINE", VerbsLayouts.IBV_SEND_INLINE);
        constant("IBV_WC_SUCCESS", VerbsLayouts.IBV_WC_SUCCESS);
        constant("IBV_WC_REM_ACCESS_ERR", VerbsLayouts.IBV_WC_REM_ACCESS_ERR);
        constant("IBV_WC_RETRY_EXC_ERR", VerbsLayouts.IBV_WC_RETRY_EXC_ERR);
        constant("IBV_WC_GENERAL_ERR", 21);
        constant("IBV_QPT_RC", VerbsLayouts.IBV_QPT_RC);
        constant("IBV_QPS_RESET", VerbsLayouts.IBV_QPS_RESET);
        constant("IBV_QPS_INIT", VerbsLayouts.IBV_QPS_INIT);
        constant("IBV_QPS_RTR", VerbsLayouts.IBV_QPS_RTR);
        constant("IBV_QPS_RTS", VerbsLayouts.IBV_QPS_RTS);
        constant("IBV_MTU_1024", VerbsLayouts.IBV_MTU_1024);
        constant("IBV_PORT_DOWN", VerbsLayouts.IBV_PORT_DOWN);
        constant("IBV_PORT_ACTIVE", VerbsLayouts.IBV_PORT_ACTIVE);
        constant("IBV_LINK_LAYER_ETHERNET", VerbsLayouts.IBV_LINK_LAYER_ETHERNET);
        constant("IBV_ACCESS_LOCAL_WRITE", VerbsLayouts.IBV_ACCESS_LOCAL_WRITE);
        constant("IBV_ACCESS_REMOTE_WRITE", VerbsLayouts.IBV_ACCESS_REMOTE_WRITE);
        constant("IBV_QP_STATE", VerbsLayouts.IBV_QP_STATE);
        constant("IBV_QP_ACCESS_FLAGS", VerbsLayouts.IBV_QP_ACCESS_FLAGS);
        constant("IBV_QP_PKEY_INDEX", VerbsLayouts.IBV_QP_PKEY_INDEX);
        constant("IBV_QP_PORT", VerbsLayouts.IBV_QP_PORT);
        constant("IBV_QP_AV", VerbsLayouts.IBV_QP_AV);
        constant("IBV_QP_PATH_MTU", VerbsLayouts.IBV_QP_PATH_MTU);
        constant("IBV_QP_TIMEOUT", VerbsLayouts.IBV_QP_TIMEOUT);
        constant("IBV_QP_RETRY_CNT", VerbsLayouts.IBV_QP_RETRY_CNT);
        constant("IBV_QP_RNR_RETRY", VerbsLayouts.IBV_QP_RNR_RETRY);
        constant("IBV_QP_RQ_PSN", VerbsLayouts.IBV_QP_RQ_PSN);
        constant("IBV_QP_MAX_QP_RD_ATOMIC", VerbsLayouts.IBV_QP_MAX_QP_RD_ATOMIC);
        constant("IBV_QP_MIN_RNR_TIMER", VerbsLayouts.IBV_QP_MIN_RNR_TIMER);
        constant("IBV_QP_SQ_PSN", VerbsLayouts.IBV_QP_SQ_PSN);
        constant("IBV_QP_MAX_DEST_RD_ATOMIC", VerbsLayouts.IBV_QP_MAX_DEST_RD_ATOMIC);
        constant("IBV_QP_DEST_QPN", VerbsLayouts.IBV_QP_DEST_QPN);

        final StringBuilder source = new StringBuilder("""
            #include <stdio.h>
            #include <stddef.h>
            #include <infiniband/verbs.h>
            int main(void) {
            """);
        final List<String> names = new ArrayList<>(expected.keySet());
        for (int i = 0; i < names.size(); i++)
        {
            source.append("  printf(\"v").append(i).append("=%ld\\n\", (long)(").append(names.get(i)).append("));\n");
        }
        source.append("  return 0;\n}\n");
        final Map<String, Long> actual = CLayoutProbe.probe(cc, dir, "verbs_layout", source.toString(), List.of());

        for (int i = 0; i < names.size(); i++)
        {
            assertEquals(actual.get("v" + i), expected.get(names.get(i)), names.get(i) + " in " + HEADER);
        }
    }

    private void struct(final String cType, final GroupLayout layout)
    {
        expected.put("sizeof(" + cType + ")", layout.byteSize());
        fields(cType, layout, "");
    }

    /** Every named member, recursively (padding has no name; the members of a union are all at the union's offset). */
    private void fields(final String cType, final GroupLayout layout, final String prefix)
    {
        long offset = 0;
        for (final MemoryLayout member : layout.memberLayouts())
        {
            if (member.name().isPresent())
            {
                final String path = prefix + member.name().get();
                final long at = layout instanceof java.lang.foreign.UnionLayout ? 0 : offset;
                expected.put("offsetof(" + cType + ", " + path + ")", baseOffset(cType, prefix) + at);
                if (member instanceof GroupLayout group)
                {
                    fields(cType, group, path + ".");
                }
            }
            offset += member.byteSize();
        }
    }

    private long baseOffset(final String cType, final String prefix)
    {
        return prefix.isEmpty() ? 0 : expected.get("offsetof(" + cType + ", " + prefix.substring(0, prefix.length() - 1) + ")");
    }

    private void field(final String cType, final String cPath, final long javaOffset)
    {
        expected.put("offsetof(" + cType + ", " + cPath + ")", javaOffset);
    }

    private void constant(final String cName, final long value)
    {
        expected.put(cName, value);
    }
}
