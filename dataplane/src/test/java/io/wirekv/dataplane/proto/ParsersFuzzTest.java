package io.wirekv.dataplane.proto;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wirekv.dataplane.net.NetStackFuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Arrays;

/**
 * Every Jazzer target behind one: byte 0 picks the target (0: TCP stream, 1: UDP datagram, 2: write record,
 * 3: Ethernet frame), the rest is that target's input. Jazzer's JUnit mode fuzzes one {@code @FuzzTest} per
 * JVM and spends most of ten seconds starting; this lets the suite's {@code fuzz-smoke} run (see
 * dataplane/pom.xml) fuzz all four in one JVM for a few seconds. {@code deploy/fuzz.sh} fuzzes the targets
 * themselves, one JVM each, for the long runs.
 */
class ParsersFuzzTest
{
    private static final RequestProcessorFuzzTest PROCESSOR = new RequestProcessorFuzzTest();
    private static final WriteApplierFuzzTest APPLIER = new WriteApplierFuzzTest();

    @BeforeAll
    static void open()
    {
        RequestProcessorFuzzTest.open();
        WriteApplierFuzzTest.open();
    }

    @AfterAll
    static void close()
    {
        RequestProcessorFuzzTest.close();
        WriteApplierFuzzTest.close();
    }

    @FuzzTest(maxDuration = "8s")
    void anyParser(final byte[] input)
    {
        if (input.length < 1)
        {
            return;
        }
        final byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        switch (input[0] & 3)
        {
            case 0 -> PROCESSOR.textAndMetaStream(rest);
            case 1 -> PROCESSOR.udpDatagram(rest);
            case 2 -> APPLIER.arbitraryRecord(rest);
            default -> NetStackFuzzTest.checkArbitraryFrame(rest);
        }
    }
}
