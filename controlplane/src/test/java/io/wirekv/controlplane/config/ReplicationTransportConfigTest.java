package io.wirekv.controlplane.config;

import io.wirekv.dataplane.replication.rdma.ReplicationTransport;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** replication.transport: a control-plane key (the selector runs at start-up, not in the validator). */
class ReplicationTransportConfigTest
{
    private static final Machine MACHINE = new Machine(4, 8L << 30);

    private static ConcludedConfig validate(final String value)
    {
        return ConfigValidator.validate(value == null ? Map.of() :
            Map.of("replication.transport", new Setting("replication.transport", value, "test")), MACHINE);
    }

    @Test
    void shouldDefaultToAuto()
    {
        final ConcludedConfig c = validate(null);
        assertEquals(ReplicationTransport.AUTO, c.replicationTransport());
        assertTrue(c.describe().matches("(?s).*replication\\.transport\\s+= auto\\s+\\(default\\).*"), c.describe());
    }

    @Test
    void shouldAcceptEachTransportInAnyCase()
    {
        assertEquals(ReplicationTransport.TCP, validate("tcp").replicationTransport());
        assertEquals(ReplicationTransport.RDMA, validate("RDMA").replicationTransport());
        assertEquals(ReplicationTransport.AUTO, validate("Auto").replicationTransport());
        assertTrue(validate("rdma").describe().matches("(?s).*replication\\.transport\\s+= rdma\\s+\\(test\\).*"));
    }

    @Test
    void shouldRefuseAnUnknownTransportNamingTheKeyAndTheChoices()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> validate("infiniband"));
        assertEquals(List.of("replication.transport = infiniband: must be auto, tcp or rdma (test)"), ex.problems());
    }
}
