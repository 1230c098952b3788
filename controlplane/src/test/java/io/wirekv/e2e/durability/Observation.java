package io.wirekv.e2e.durability;

/**
 * One key as the server showed it after a restart ({@code mg <key> s v f t c}).
 *
 * @param ttlSeconds remaining TTL, -1 = never expires
 */
record Observation(boolean present, byte[] value, long flags, long ttlSeconds, long cas)
{
    static final Observation ABSENT = new Observation(false, new byte[0], 0, -1, 0);

    @Override
    public String toString()
    {
        return present ? "value " + KeyState.describe(value) + " flags " + flags + " ttl " + ttlSeconds + " cas " + cas : "absent";
    }
}
