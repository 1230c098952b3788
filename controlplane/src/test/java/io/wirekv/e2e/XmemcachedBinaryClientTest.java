package io.wirekv.e2e;

import net.rubyeye.xmemcached.CommandFactory;
import net.rubyeye.xmemcached.command.BinaryCommandFactory;

/** xmemcached 2.4.8 in memcached's binary protocol ({@code BinaryCommandFactory}): the text tests, unchanged. */
final class XmemcachedBinaryClientTest extends XmemcachedClientTest
{
    @Override
    CommandFactory commandFactory()
    {
        return new BinaryCommandFactory();
    }
}
