package io.wirekv.e2e;

import net.spy.memcached.ConnectionFactoryBuilder;

/** spymemcached 2.12.3 in memcached's binary protocol ({@code Protocol.BINARY}): the text tests, unchanged. */
final class SpymemcachedBinaryClientTest extends SpymemcachedClientTest
{
    @Override
    ConnectionFactoryBuilder.Protocol protocol()
    {
        return ConnectionFactoryBuilder.Protocol.BINARY;
    }
}
