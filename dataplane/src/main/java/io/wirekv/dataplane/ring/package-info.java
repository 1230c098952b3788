/**
 * Rings between reader threads (UDP lcores, TCP threads) and writer threads.
 * <p>
 * Threading rule: every ring has exactly one producer thread and one consumer thread
 * (request ring: reader r → writer w; reply ring: writer w → reader r). Messages are written
 * in place into claimed ring space and published by Agrona's commit (a release store of the
 * record length), paired with the consumer's acquire load in {@code read}/{@code controlledRead}.
 * A writer takes a command off its ring only when the reply ring back has room for the largest
 * reply, so an applied write always gets its reply delivered.
 */
package io.wirekv.dataplane.ring;
